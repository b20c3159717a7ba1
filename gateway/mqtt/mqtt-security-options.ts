import { readFile } from 'node:fs/promises';
import type { IClientOptions } from 'mqtt';
import { Type, type Static } from 'typebox';

/**
 * How an MQTT connection proves who it is and whom it talks to; shared by the MQTT source and the uplink.
 * Passwords can come from the environment or a file (`${VAR}`, `${file:/run/secrets/x}`, see docs/security.md).
 */
export const MqttAuthSchema = Type.Object(
  { username: Type.String({ minLength: 1 }), password: Type.String() },
  { additionalProperties: false },
);

export const MqttTlsSchema = Type.Object(
  {
    /** PEM file of the CA (or the self-signed certificate) the broker's certificate must chain to; default: the system's CAs. */
    caFile: Type.Optional(Type.String({ minLength: 1 })),
    /** Client certificate and key (PEM) for brokers that require mutual TLS. */
    certFile: Type.Optional(Type.String({ minLength: 1 })),
    keyFile: Type.Optional(Type.String({ minLength: 1 })),
    /** Default true. false accepts any broker certificate: only for a first test on a bench. */
    rejectUnauthorized: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export type MqttAuth = Static<typeof MqttAuthSchema>;
export type MqttTls = Static<typeof MqttTlsSchema>;
export type MqttTlsClientOptions = Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;

/** The problem with a `tls` section on a URL that is not encrypted, or null. */
export function unencryptedTlsProblem(url: string, tls: MqttTls | null | undefined): string | null {
  if (tls === undefined || tls === null || !/^(mqtt|ws):/i.test(url)) return null;
  return 'tls is set but the url is not encrypted; use mqtts:// or wss://';
}

/**
 * mqtt.js's TLS options, with the files read. `where` starts the error of an unreadable file, e.g.
 * `mqtt source "sensors"` or `uplink`.
 */
export async function readTlsOptions(tls: MqttTls | null | undefined, where: string): Promise<MqttTlsClientOptions> {
  if (tls === undefined || tls === null) return {};
  const read = async (key: 'caFile' | 'certFile' | 'keyFile'): Promise<Buffer | undefined> => {
    const file = tls[key];
    if (file === undefined) return undefined;
    try {
      return await readFile(file);
    } catch (error) {
      throw new Error(`${where}: cannot read tls.${key} "${file}": ${(error as Error).message}`, { cause: error });
    }
  };
  const [ca, cert, key] = await Promise.all([read('caFile'), read('certFile'), read('keyFile')]);
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
  };
}

/** mqtt.js's username and password options. */
export function credentialOptions(auth: MqttAuth | null | undefined): Pick<IClientOptions, 'username' | 'password'> {
  return auth === undefined || auth === null ? {} : { username: auth.username, password: auth.password };
}

/** The URL as shown in logs and health: any user:password@ removed; null when it is not a URL. */
export function withoutCredentials(url: string): string | null {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return null;
  }
}

/** Whether a connection error's code says the broker's certificate could not be verified. */
export function isCertificateError(code: string): boolean {
  return code.includes('CERT') || code.startsWith('ERR_TLS') || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
}

/** A connection error's text, OpenSSL's long messages cut to their reason. */
export function connectionErrorText(error: Error): string {
  const { code, reason } = error as Error & { code?: unknown; reason?: unknown };
  return typeof code === 'string' && code.startsWith('ERR_SSL_') && typeof reason === 'string' ? `TLS: ${reason}` : error.message.trim();
}
