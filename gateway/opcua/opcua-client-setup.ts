import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
  type UserIdentityInfo,
} from 'node-opcua';
import type { OpcuaSourceConfig } from './opcua-source-config.js';
import { certificateThumbprint } from './certificate-trust.js';
import { ownCertificateFile, trustFolderPath } from './pki-layout.js';

/** How to reach and authenticate to one OPC UA server; the same for a source and for browsing. */
export interface OpcuaConnectionSettings {
  readonly endpoint: string;
  readonly security?: OpcuaSourceConfig['security'];
  readonly auth?: OpcuaSourceConfig['auth'];
  /** The client's PKI: own certificate, trusted/ and rejected/ server certificates. */
  readonly pkiFolder: string;
  /** Upper bound of node-opcua's reconnection back-off, in ms. */
  readonly maxReconnectDelay: number;
  /** Asked of the server; it must exceed the subscription's keep-alive interval. */
  readonly sessionTimeout?: number;
}

export interface OpcuaClientParts {
  readonly client: OPCUAClient;
  /** One per client: node-opcua disposes it when the client disconnects. */
  readonly certificateManager: OPCUACertificateManager;
}

const APPLICATION_NAME = 'Millwright';
export const FIRST_RECONNECT_DELAY_MS = 250;
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 2000;

/**
 * A node-opcua client that never trusts an unknown server certificate (it lands in `<pki>/rejected/`),
 * retries a failed connection once, and after a loss reconnects on its own, forever, from 250 ms backing off
 * to `maxReconnectDelay`.
 */
export function createOpcuaClient(settings: OpcuaConnectionSettings, clientName: string): OpcuaClientParts {
  const certificateManager = new OPCUACertificateManager({
    rootFolder: settings.pkiFolder,
    automaticallyAcceptUnknownCertificate: false,
    // A new manager is made for every connection attempt; watchers would only pile up.
    disableFileWatchers: true,
  });
  const client = OPCUAClient.create({
    applicationName: APPLICATION_NAME,
    clientName,
    endpointMustExist: false,
    // Sessions are closed by their owner with a time limit; disconnect() would wait for the server's answer.
    keepPendingSessionsOnDisconnect: true,
    securityMode: MessageSecurityMode[settings.security?.mode ?? 'None'],
    securityPolicy: SecurityPolicy[settings.security?.policy ?? 'None'],
    clientCertificateManager: certificateManager,
    // maxRetry only bounds the first connect (our supervisor retries that with a fresh client); node-opcua's
    // reconnection after a loss always retries without end. It must not be 0: that turns reconnection off.
    connectionStrategy: { initialDelay: FIRST_RECONNECT_DELAY_MS, maxDelay: settings.maxReconnectDelay, maxRetry: 1, randomisationFactor: 0.1 },
    ...(settings.sessionTimeout === undefined ? {} : { requestedSessionTimeout: settings.sessionTimeout }),
  });
  return { client, certificateManager };
}

export function userIdentityOf(auth: OpcuaSourceConfig['auth']): UserIdentityInfo {
  return auth === undefined
    ? { type: UserTokenType.Anonymous }
    : { type: UserTokenType.UserName, userName: auth.username, password: auth.password };
}

/** The PKI folder: the config's certificateFolder, else the caller's; never node-opcua's default in the home folder. */
export function resolvePkiFolder(certificateFolder: string | undefined, callerFolder: string | undefined, where: string): string {
  const folder = certificateFolder ?? callerFolder;
  if (folder === undefined) {
    throw new Error(`${where}: no folder for the OPC UA certificates; set certificateFolder in the source config`);
  }
  return resolve(folder);
}

/** The endpoint as shown in health and logs: any user:password@ removed. */
export function redactEndpoint(endpoint: string): string {
  return endpoint.replace(/^(opc\.tcp:\/\/)[^@/]*@/, '$1');
}

/**
 * Rewrites node-opcua's connection errors into what a person can act on: which certificate to trust and where,
 * which credentials were refused, whether anything listens at all.
 */
export function explainConnectionError(error: unknown, settings: OpcuaConnectionSettings): string {
  const message = error instanceof Error ? error.message : String(error);
  const endpoint = redactEndpoint(settings.endpoint);
  const status = /\b(Bad[A-Za-z]+)/.exec(message)?.[1];
  const pki = settings.pkiFolder;

  if (/server Certificate verification failed/i.test(message)) {
    const rejectedFile = newestFile(trustFolderPath(pki, 'rejected'));
    const thumbprint = rejectedFile ? thumbprintOfFile(rejectedFile) : null;
    return (
      `the certificate of the OPC UA server at ${endpoint} is not trusted (${status ?? 'verification failed'}). ` +
      `It was saved in ${rejectedFile ?? trustFolderPath(pki, 'rejected')}. If this is the right server, trust it with ` +
      `\`millwright certs trust ${thumbprint ?? '<thumbprint>'} --pki ${pki}\` (or move that file into ` +
      `${trustFolderPath(pki, 'trusted')}/); the source keeps retrying and connects once it is trusted.`
    );
  }
  if (/rejected by server|BadSecurityChecksFailed|BadCertificate/i.test(message)) {
    return (
      `the OPC UA server at ${endpoint} refused this client's certificate (${status ?? message}). ` +
      `Trust ${ownCertificateFile(pki)} (this gateway's certificate) on the server, e.g. in its trusted certificates folder.`
    );
  }
  if (/BadUserAccessDenied|BadIdentityToken|Cannot find (ANONYMOUS|USERNAME) user token policy/i.test(message)) {
    return settings.auth
      ? `the OPC UA server at ${endpoint} refused user '${settings.auth.username}' (${status ?? message}); check auth.username and auth.password in the source config`
      : `the OPC UA server at ${endpoint} does not accept anonymous sessions (${status ?? message}); set auth.username and auth.password in the source config`;
  }
  if (/Cannot find an Endpoint matching|cannot find endpoint for securityMode|End point must exist/i.test(message)) {
    const security = settings.security ?? { mode: 'None', policy: 'None' };
    return `the OPC UA server at ${endpoint} offers no endpoint with security mode ${security.mode} and policy ${security.policy}; change security in the source config`;
  }
  if (/ECONNREFUSED/.test(message)) return `nothing accepts connections at ${endpoint} (connection refused)`;
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return `the host of ${endpoint} cannot be resolved (${message.trim()})`;
  return `cannot connect to ${endpoint}: ${message.trim()}`;
}

function thumbprintOfFile(file: string): string | null {
  try {
    return certificateThumbprint(new X509Certificate(readFileSync(file)));
  } catch {
    return null;
  }
}

function newestFile(folder: string): string | null {
  try {
    const files = readdirSync(folder).map((name) => join(folder, name));
    return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0] ?? null;
  } catch {
    return null;
  }
}
