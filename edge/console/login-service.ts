import type { AuditLog } from '../store/audit-log.js';
import type { ConsoleUser } from './console-config.js';
import { ApiError } from './http-errors.js';
import { LoginGuard, type LoginGuardOptions } from './login-guard.js';
import { hashPassword, parsePasswordHash, verifyPassword } from './password-hash.js';
import type { Session, SessionKind, SessionStore } from './session-store.js';

export type LoginOutcome = 'ok' | 'rejected' | 'locked-out';

export interface LoginServiceOptions {
  readonly users: readonly ConsoleUser[];
  readonly sessions: SessionStore;
  readonly audit: AuditLog;
  readonly guard?: LoginGuardOptions;
  readonly onAttempt?: (outcome: LoginOutcome) => void;
}

/** Checks a name and password, with lockout after repeated failures; every attempt goes to the audit log. */
export class LoginService {
  private readonly guard: LoginGuard;
  private readonly users = new Map<string, ConsoleUser>();
  /** Checked for unknown names so that their answer takes as long as a wrong password. */
  private decoyHash: Promise<string> | undefined;

  constructor(private readonly options: LoginServiceOptions) {
    this.guard = new LoginGuard(options.guard);
    for (const user of options.users) this.users.set(user.name.toLowerCase(), user);
  }

  async login(name: string, password: string, ip: string, kind: SessionKind): Promise<Session> {
    const action = kind === 'cookie' ? 'session.login' : 'token.create';
    const target = `user/${name}`;
    const lockedMs = this.guard.lockedFor(name, ip);
    if (lockedMs > 0) {
      this.options.onAttempt?.('locked-out');
      this.options.audit.record({ user: name, action, target, outcome: 'denied', detail: `locked out after repeated failed logins (from ${ip})` });
      const minutes = Math.ceil(lockedMs / 60_000);
      throw new ApiError(429, 'locked-out', `too many failed logins for this name or from this address: try again in ${minutes} minute${minutes === 1 ? '' : 's'}`, undefined, Math.ceil(lockedMs / 1000));
    }
    const user = this.users.get(name.toLowerCase());
    const matches = user ? await verifyPassword(password, user.passwordHash) : await this.checkDecoy(password);
    if (!user || !matches) {
      this.guard.recordFailure(name, ip);
      this.options.onAttempt?.('rejected');
      this.options.audit.record({ user: name, action, target, outcome: 'rejected', detail: `wrong user name or password (from ${ip})` });
      throw new ApiError(401, 'unauthenticated', 'wrong user name or password');
    }
    this.guard.recordSuccess(name);
    this.options.onAttempt?.('ok');
    const session = this.options.sessions.create(user.name, user.role, kind);
    this.options.audit.record({ user: user.name, action, target: `user/${user.name}`, outcome: 'ok', detail: `role ${user.role}, from ${ip}` });
    return session;
  }

  logout(session: Session): void {
    this.options.sessions.end(session.id);
    this.options.audit.record({ user: session.user, action: 'session.logout', target: `user/${session.user}`, outcome: 'ok' });
  }

  private async checkDecoy(password: string): Promise<boolean> {
    const cost = parsePasswordHash(this.options.users[0]?.passwordHash ?? '')?.cost;
    this.decoyHash ??= hashPassword('decoy', cost);
    await verifyPassword(password, await this.decoyHash);
    return false;
  }
}
