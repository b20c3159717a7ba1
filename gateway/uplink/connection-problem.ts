import { connectionErrorText, isCertificateError } from '../mqtt/mqtt-security-options.js';

/** What kind of trouble the connection to the broker has, for health and metrics. */
export type ConnectionProblemKind = 'broker-unreachable' | 'auth-refused' | 'client-id-refused' | 'tls' | 'refused' | 'other';

export interface ConnectionProblem {
  readonly kind: ConnectionProblemKind;
  /** The error with what to check, naming the uplink's configuration keys. */
  readonly message: string;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

export function describeConnectionProblem(error: Error): ConnectionProblem {
  const { code } = error as Error & { code?: unknown };
  const text = connectionErrorText(error);
  if (code === 4 || code === 5 || code === 134 || code === 135) {
    return { kind: 'auth-refused', message: `${text} (the broker refused the credentials: check uplink.auth.username and uplink.auth.password, and the broker's access rules)` };
  }
  if (code === 2 || code === 133) {
    return { kind: 'client-id-refused', message: `${text} (set uplink.clientId / uplink.sparkplug.clientId to an id the broker accepts; MQTT 3.1 brokers allow at most 23 characters)` };
  }
  if (typeof code === 'number') return { kind: 'refused', message: `${text} (the broker refused the connection, code ${code})` };
  if (typeof code === 'string' && (code.startsWith('ERR_SSL_') || isCertificateError(code))) {
    const hint =
      code.startsWith('ERR_SSL_') && code.includes('ALERT')
        ? 'the broker refused the TLS handshake: check uplink.tls.certFile and uplink.tls.keyFile'
        : code === 'ERR_SSL_WRONG_VERSION_NUMBER'
          ? 'the port does not speak TLS: check the port in uplink.url, or use mqtt://'
          : "check uplink.tls.caFile and that the broker's certificate names the url's host";
    return { kind: 'tls', message: `${text} (${hint})` };
  }
  if ((typeof code === 'string' && UNREACHABLE.has(code)) || /connack timeout|keepalive timeout/i.test(text)) {
    const hint = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'check the host name in uplink.url' : 'is the broker running and reachable at uplink.url?';
    return { kind: 'broker-unreachable', message: `broker unreachable: ${text} (${hint}; messages are buffered meanwhile)` };
  }
  return { kind: 'other', message: text };
}
