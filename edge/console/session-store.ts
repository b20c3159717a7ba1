import { randomBytes } from 'node:crypto';
import type { Role } from './roles.js';

export type SessionKind = 'cookie' | 'token';

export interface Session {
  readonly id: string;
  readonly kind: SessionKind;
  readonly user: string;
  readonly role: Role;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface SessionStoreOptions {
  readonly lifetimeMs: number;
  /** The oldest session of a user is ended past this many (a script logging in in a loop cannot fill memory). */
  readonly maxPerUser?: number;
  readonly now?: () => number;
}

type EndListener = (session: Session) => void;

/**
 * Sessions and bearer tokens in memory: a random 256-bit id each, a fixed lifetime, ended on logout,
 * on expiry or when the process restarts (people log in again after a restart).
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly endListeners = new Set<EndListener>();
  private readonly now: () => number;
  private readonly maxPerUser: number;

  constructor(private readonly options: SessionStoreOptions) {
    this.now = options.now ?? Date.now;
    this.maxPerUser = options.maxPerUser ?? 50;
  }

  create(user: string, role: Role, kind: SessionKind): Session {
    this.sweep();
    const mine = [...this.sessions.values()].filter((session) => session.user === user);
    for (const oldest of mine.slice(0, Math.max(0, mine.length - this.maxPerUser + 1))) this.end(oldest.id);
    const createdAt = this.now();
    const session: Session = { id: randomBytes(32).toString('base64url'), kind, user, role, createdAt, expiresAt: createdAt + this.options.lifetimeMs };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id; an expired one is ended on the way. */
  find(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.now()) {
      this.end(id);
      return undefined;
    }
    return session;
  }

  end(id: string): void {
    const session = this.sessions.get(id);
    if (session === undefined) return;
    this.sessions.delete(id);
    for (const listener of this.endListeners) listener(session);
  }

  /** Called for every session that ends, by logout, expiry or eviction. Returns the unsubscribe function. */
  onEnd(listener: EndListener): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Ends expired sessions; also run on every create. */
  sweep(): void {
    const now = this.now();
    for (const session of [...this.sessions.values()]) if (session.expiresAt <= now) this.end(session.id);
  }

  get size(): number {
    return this.sessions.size;
  }
}
