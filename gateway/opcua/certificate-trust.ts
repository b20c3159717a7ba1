import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OPCUACertificateManager } from 'node-opcua';
import { trustFolderPath, type TrustFolder } from './pki-layout.js';

/** One server certificate kept in a client PKI folder. */
export interface StoredCertificate {
  readonly folder: TrustFolder;
  readonly file: string;
  /** SHA-1 of the DER bytes in lower-case hex: what node-opcua and UaExpert show as the thumbprint. */
  readonly thumbprint: string;
  readonly subject: string;
  /** The OPC UA application URI from the subject alternative name, when there is one. */
  readonly applicationUri: string | null;
  readonly validFrom: Date;
  readonly validTo: Date;
}

export interface PkiListing {
  readonly trusted: readonly StoredCertificate[];
  readonly rejected: readonly StoredCertificate[];
  /** Files in trusted/certs or rejected/ that are not certificates, with the reason. */
  readonly unreadable: readonly { readonly file: string; readonly reason: string }[];
}

export async function listCertificates(pkiFolder: string): Promise<PkiListing> {
  requirePkiFolder(pkiFolder);
  const unreadable: { file: string; reason: string }[] = [];
  const read = async (folder: TrustFolder): Promise<StoredCertificate[]> => {
    const directory = trustFolderPath(pkiFolder, folder);
    const names = existsSync(directory) ? (await readdir(directory)).sort() : [];
    const certificates: StoredCertificate[] = [];
    for (const name of names) {
      const file = join(directory, name);
      try {
        certificates.push(describe(new X509Certificate(await readFile(file)), file, folder));
      } catch (error) {
        unreadable.push({ file, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return certificates;
  };
  const trusted = await read('trusted');
  const rejected = await read('rejected');
  return { trusted, rejected, unreadable };
}

/**
 * Moves a server certificate into trusted/certs (out of rejected/ if it was there). `which` is a thumbprint
 * (or an unambiguous beginning of one, colons allowed) of a certificate in the PKI, or the path of a
 * certificate file (PEM or DER) from anywhere.
 */
export function trustCertificate(pkiFolder: string, which: string): Promise<StoredCertificate> {
  return move(pkiFolder, which, 'trusted');
}

/** Moves a server certificate into rejected/ (out of trusted/certs): the gateway refuses that server again. */
export function rejectCertificate(pkiFolder: string, which: string): Promise<StoredCertificate> {
  return move(pkiFolder, which, 'rejected');
}

async function move(pkiFolder: string, which: string, to: TrustFolder): Promise<StoredCertificate> {
  requirePkiFolder(pkiFolder);
  const certificate = await findCertificate(pkiFolder, which);
  const manager = new OPCUACertificateManager({ rootFolder: pkiFolder, automaticallyAcceptUnknownCertificate: false, disableFileWatchers: true });
  try {
    await manager.initialize();
    if (to === 'trusted') await manager.trustCertificate(certificate.raw);
    else await manager.rejectCertificate(certificate.raw);
  } finally {
    await manager.dispose();
  }
  const thumbprint = certificateThumbprint(certificate);
  const listing = await listCertificates(pkiFolder);
  const moved = listing[to].find((stored) => stored.thumbprint === thumbprint);
  if (!moved) throw new Error(`node-opcua did not write certificate ${thumbprint} into ${trustFolderPath(pkiFolder, to)}`);
  return moved;
}

async function findCertificate(pkiFolder: string, which: string): Promise<X509Certificate> {
  if (existsSync(which)) {
    try {
      return new X509Certificate(await readFile(which));
    } catch (error) {
      throw new Error(`${resolve(which)} is not a certificate (PEM or DER): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  const wanted = which.replaceAll(':', '').toLowerCase();
  if (!/^[0-9a-f]{4,40}$/.test(wanted)) {
    throw new Error(`"${which}" is neither a certificate file nor a thumbprint (hex digits, as \`millwright certs list\` shows them)`);
  }
  const listing = await listCertificates(pkiFolder);
  const matches = [...listing.rejected, ...listing.trusted].filter((stored) => stored.thumbprint.startsWith(wanted));
  const distinct = [...new Map(matches.map((stored) => [stored.thumbprint, stored])).values()];
  const [match, ...others] = distinct;
  if (!match) throw new Error(`no certificate with thumbprint ${which} in ${trustFolderPath(pkiFolder, 'rejected')} or ${trustFolderPath(pkiFolder, 'trusted')}; \`millwright certs list\` shows them`);
  if (others.length > 0) throw new Error(`thumbprint ${which} matches ${distinct.length} certificates (${distinct.map((stored) => stored.thumbprint).join(', ')}); give more digits`);
  return new X509Certificate(await readFile(match.file));
}

function describe(certificate: X509Certificate, file: string, folder: TrustFolder): StoredCertificate {
  return {
    folder,
    file,
    thumbprint: certificateThumbprint(certificate),
    subject: certificate.subject.replaceAll('\n', ', '),
    applicationUri: /URI:([^,]+)/.exec(certificate.subjectAltName ?? '')?.[1] ?? null,
    validFrom: new Date(certificate.validFrom),
    validTo: new Date(certificate.validTo),
  };
}

/** SHA-1 of the DER bytes in lower-case hex, without colons. */
export function certificateThumbprint(certificate: X509Certificate): string {
  return certificate.fingerprint.replaceAll(':', '').toLowerCase();
}

function requirePkiFolder(pkiFolder: string): void {
  if (!existsSync(pkiFolder)) {
    throw new Error(`no OPC UA certificate folder at ${pkiFolder}: the gateway creates it on its first start (or give the right --data, --pki or --config)`);
  }
}
