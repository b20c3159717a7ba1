import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { certificateThumbprint, listCertificates, rejectCertificate, trustCertificate, type StoredCertificate } from '../../gateway/opcua/certificate-trust.js';
import { gatewayPkiFolder, ownCertificateFile, trustFolderPath, type TrustFolder } from '../../gateway/opcua/pki-layout.js';
import { routeNodeOpcuaLogs } from '../../gateway/opcua/node-opcua-logs.js';
import { loadConfigFile } from '../config/load-config.js';
import { createLogger } from '../logging.js';
import type { CertsCommandOptions } from './certs-command.js';

interface PkiTarget {
  readonly folder: string;
  /** The OPC UA sources that use this folder, when it came from a configuration. */
  readonly sources: readonly string[];
}

export async function runCertsList(options: CertsCommandOptions): Promise<void> {
  routeNodeOpcuaLogs(createLogger('warn', { destination: 'stderr' }));
  for (const target of await pkiTargets(options)) {
    const listing = await listCertificates(target.folder);
    const users = target.sources.length > 0 ? ` (sources: ${target.sources.join(', ')})` : '';
    console.log(`PKI ${target.folder}${users}`);
    console.log(`  own certificate (the other side trusts this one): ${ownCertificateLine(target.folder)}`);
    printGroup('trusted certificates', listing.trusted, trustFolderPath(target.folder, 'trusted'));
    printGroup('rejected certificates', listing.rejected, trustFolderPath(target.folder, 'rejected'));
    for (const { file, reason } of listing.unreadable) console.log(`  not a certificate, ignored: ${file} (${reason})`);
    if (listing.rejected.length > 0) console.log('  trust one with: millwright certs trust <thumbprint>' + folderArguments(options));
  }
}

export async function runCertsMove(which: string, to: TrustFolder, options: CertsCommandOptions): Promise<void> {
  routeNodeOpcuaLogs(createLogger('warn', { destination: 'stderr' }));
  const targets = await pkiTargets(options);
  if (targets.length > 1) {
    throw new Error(`the configuration's OPC UA sources use ${targets.length} certificate folders (${targets.map((target) => target.folder).join(', ')}); choose one with --source <id>`);
  }
  const [target] = targets;
  if (!target) throw new Error('no certificate folder to change');
  const moved = to === 'trusted' ? await trustCertificate(target.folder, which) : await rejectCertificate(target.folder, which);
  console.log(`${to === 'trusted' ? 'trusted' : 'rejected'}: ${describeCertificate(moved)}`);
  console.log(`  now in ${moved.file}`);
  console.log(
    to === 'trusted'
      ? '  a running gateway uses it from its next connection attempt (within its maxReconnectDelay); no restart needed'
      : '  a running gateway refuses that server from its next connection; restart it to drop a connection already open',
  );
}

async function pkiTargets(options: CertsCommandOptions): Promise<PkiTarget[]> {
  if (options.pki) return [{ folder: path.resolve(options.pki), sources: [] }];
  if (!options.config) {
    if (options.source) throw new Error('--source needs --config: the source ids come from the configuration');
    return [{ folder: gatewayPkiFolder(path.resolve(options.data)), sources: [] }];
  }
  const config = await loadConfigFile(options.config);
  const byFolder = new Map<string, string[]>();
  for (const source of config.sources) {
    if (source.kind !== 'opcua' || (options.source && source.id !== options.source)) continue;
    const folder = source.certificateFolder ?? gatewayPkiFolder(config.dataDir);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), source.id]);
  }
  if (byFolder.size === 0) {
    throw new Error(options.source ? `${options.config} has no OPC UA source '${options.source}'` : `${options.config} has no OPC UA source, so no certificate folder`);
  }
  return [...byFolder].map(([folder, sources]) => ({ folder, sources }));
}

function printGroup(title: string, certificates: readonly StoredCertificate[], folder: string): void {
  console.log(`  ${title} (${folder}):${certificates.length === 0 ? ' none' : ''}`);
  for (const certificate of certificates) console.log(`    ${describeCertificate(certificate)}`);
}

function describeCertificate(certificate: StoredCertificate): string {
  const uri = certificate.applicationUri ? `, ${certificate.applicationUri}` : '';
  const expired = certificate.validTo.getTime() < Date.now() ? ' EXPIRED' : '';
  return `${certificate.thumbprint}  ${certificate.subject}${uri}, valid ${day(certificate.validFrom)} to ${day(certificate.validTo)}${expired}`;
}

/** The gateway's client certificate; in a server's PKI of the same layout (the simulator's), the server's. */
function ownCertificateLine(pkiFolder: string): string {
  const clientFile = ownCertificateFile(pkiFolder);
  const ownFolder = path.dirname(clientFile);
  const file = existsSync(clientFile) ? clientFile : existsSync(ownFolder) ? readdirSync(ownFolder).filter((name) => name.endsWith('.pem')).map((name) => path.join(ownFolder, name))[0] : undefined;
  if (file === undefined) return `not created yet (the gateway makes ${clientFile} when its OPC UA source first starts)`;
  const thumbprint = certificateThumbprint(new X509Certificate(readFileSync(file)));
  return `${file}, thumbprint ${thumbprint}`;
}

function folderArguments(options: CertsCommandOptions): string {
  if (options.pki) return ` --pki ${options.pki}`;
  if (options.config) return ` --config ${options.config}${options.source ? ` --source ${options.source}` : ''}`;
  return options.data === 'data' ? '' : ` --data ${options.data}`;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
