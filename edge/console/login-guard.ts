export interface LoginGuardOptions {
  /** Failed logins for one user name, within the window, that lock the name. Default 5. */
  readonly maxFailuresPerName?: number;
  /** Failed logins from one IP, within the window, that lock the IP. Default 20. */
  readonly maxFailuresPerIp?: number;
  /** Window for counting failures, and how long a lockout lasts. Default 15 minutes. */
  readonly windowMs?: number;
  readonly now?: () => number;
}

interface FailureRecord {
  /** Times of the failures in the window, oldest first. */
  readonly failures: number[];
  lockedUntil: number;
}

/** Kept per key kind: an attacker trying random names or addresses cannot grow it past this. */
const MAX_TRACKED = 10_000;

/**
 * Locks out a user name, or a client address, after repeated failed logins: guessing passwords becomes
 * too slow to matter. A lockout ends on its own; a successful login clears the name's failures.
 */
export class LoginGuard {
  private readonly byName = new Map<string, FailureRecord>();
  private readonly byIp = new Map<string, FailureRecord>();
  private readonly maxPerName: number;
  private readonly maxPerIp: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: LoginGuardOptions = {}) {
    this.maxPerName = options.maxFailuresPerName ?? 5;
    this.maxPerIp = options.maxFailuresPerIp ?? 20;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds until this name or address may try again; 0 when it may now. */
  lockedFor(name: string, ip: string): number {
    const now = this.now();
    const until = Math.max(this.byName.get(name.toLowerCase())?.lockedUntil ?? 0, this.byIp.get(ip)?.lockedUntil ?? 0);
    return Math.max(0, until - now);
  }

  recordFailure(name: string, ip: string): void {
    this.count(this.byName, name.toLowerCase(), this.maxPerName);
    this.count(this.byIp, ip, this.maxPerIp);
  }

  recordSuccess(name: string): void {
    this.byName.delete(name.toLowerCase());
  }

  private count(records: Map<string, FailureRecord>, key: string, max: number): void {
    const now = this.now();
    let record = records.get(key);
    if (record === undefined) {
      if (records.size >= MAX_TRACKED) records.delete(records.keys().next().value!);
      record = { failures: [], lockedUntil: 0 };
    }
    records.delete(key);
    records.set(key, record); // most recently failed last: the oldest are evicted first
    while (record.failures.length > 0 && record.failures[0]! <= now - this.windowMs) record.failures.shift();
    record.failures.push(now);
    if (record.failures.length >= max) {
      record.lockedUntil = now + this.windowMs;
      record.failures.length = 0;
    }
  }
}
