import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ThrowawayCa {
  /** The CA certificate a client trusts (tls.caFile). */
  readonly caFile: string;
  /** A server certificate for 127.0.0.1 and localhost, signed by the CA, and its key. */
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
}

/** A CA and a server certificate made by openssl in `folder`, the way docs/security.md makes them; about 0.2 s. */
export function makeThrowawayCa(folder: string): ThrowawayCa {
  const file = (name: string) => join(folder, name);
  // node-opcua's PKI code, once loaded in this process, sets OPENSSL_CONF for its own openssl runs (to "undefined" at times).
  const { OPENSSL_CONF: _ignored, ...env } = process.env;
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=Millwright test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('broker.key'), '-out', file('broker.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(file('broker.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', file('broker.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('broker.pem'), '-days', '2', '-extfile', file('broker.ext'));
  return { caFile: file('ca.pem'), serverCertFile: file('broker.pem'), serverKeyFile: file('broker.key') };
}
