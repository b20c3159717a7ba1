import { join } from 'node:path';

/**
 * The gateway's OPC UA PKI folder (node-opcua's layout, the one OPC UA tools share):
 *
 *   own/certs/client_certificate.pem   the gateway's application certificate, made on its first start
 *   own/private/private_key.pem        its private key (keep it on the box)
 *   trusted/certs/                     server certificates the gateway trusts
 *   rejected/                          server certificates it refused: review, then `millwright certs trust`
 *   issuers/certs/, trusted/crl/, issuers/crl/   CA certificates and revocation lists, for CA-signed servers
 */
export type TrustFolder = 'trusted' | 'rejected';

/** Where the OPC UA sources keep their PKI unless a source sets `certificateFolder`. */
export function gatewayPkiFolder(dataDir: string): string {
  return join(dataDir, 'pki', 'gateway');
}

export function ownCertificateFile(pkiFolder: string): string {
  return join(pkiFolder, 'own', 'certs', 'client_certificate.pem');
}

export function trustFolderPath(pkiFolder: string, folder: TrustFolder): string {
  return folder === 'trusted' ? join(pkiFolder, 'trusted', 'certs') : join(pkiFolder, 'rejected');
}
