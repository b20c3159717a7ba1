import { isIP } from 'node:net';

export interface OriginPolicyOptions {
  readonly scheme: 'http' | 'https';
  /** The address the server listens on, and its actual port. */
  readonly host: string;
  readonly port: number;
  readonly publicOrigin: string | null;
  readonly allowedOrigins: readonly string[];
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const ANY_ADDRESS = new Set(['0.0.0.0', '::', '']);

/**
 * Which web pages may talk to the console: its own origin (as configured, or the address it listens
 * on) and the configured extra ones. A request from a browser carries an Origin header, so a page of
 * another site (cross-site WebSocket hijacking, CSRF) is refused; programs without an Origin header are
 * not affected. A Host that is a DNS name is trusted only when configured, which defeats DNS rebinding.
 */
export class OriginPolicy {
  private readonly allowed = new Set<string>();

  constructor(private readonly options: OriginPolicyOptions) {
    const add = (origin: string) => {
      const normalized = normalizeOrigin(origin);
      if (normalized !== undefined) this.allowed.add(normalized);
    };
    if (options.publicOrigin !== null) add(options.publicOrigin);
    for (const origin of options.allowedOrigins) add(origin);
    const listenName = ANY_ADDRESS.has(options.host) ? null : hostForUrl(options.host);
    const reachableOnLoopback = listenName === null || LOOPBACK_NAMES.includes(listenName);
    const names = new Set([...(reachableOnLoopback ? LOOPBACK_NAMES : []), ...(listenName === null ? [] : [listenName])]);
    for (const name of names) add(`${options.scheme}://${name}:${options.port}`);
  }

  /** True when there is no Origin header, or it is one of the console's own or configured origins. */
  allows(origin: string | undefined, hostHeader: string | undefined): boolean {
    if (origin === undefined) return true;
    const normalized = normalizeOrigin(origin);
    if (normalized === undefined) return false;
    if (this.allowed.has(normalized)) return true;
    // Reached by an address of the box that was not configured (e.g. 10.0.4.7:8080 on a 0.0.0.0 listener).
    if (hostHeader === undefined) return false;
    const own = normalizeOrigin(`${this.options.scheme}://${hostHeader}`);
    return own === normalized && isIP(new URL(normalized).hostname.replace(/^\[|\]$/g, '')) !== 0;
  }
}

function normalizeOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
