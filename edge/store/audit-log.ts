import type { Database } from 'better-sqlite3';
import { systemClock, type Clock } from './clock.js';
import type { BoxDatabase } from './box-database.js';
import type { ModuleSchema } from './schema-migrations.js';
import type { WriteQueue } from './write-queue.js';

/** ok: done. rejected: refused as invalid (bad input, wrong state). denied: not allowed for this user. failed: an error while doing it. */
export type AuditOutcome = 'ok' | 'rejected' | 'denied' | 'failed';

export interface AuditEntry {
  readonly id: number;
  readonly ts: number;
  readonly user: string;
  /** Dotted verb, e.g. "alert.acknowledge", "session.login". */
  readonly action: string;
  /** What it was done to, e.g. "alert/17", "user/maria". */
  readonly target: string;
  readonly outcome: AuditOutcome;
  /** Free text: a reason, the error message, the resulting event id. */
  readonly detail: string | null;
}

export interface AuditRecordInput {
  readonly user: string;
  readonly action: string;
  readonly target: string;
  readonly outcome: AuditOutcome;
  readonly detail?: string;
  /** Defaults to the clock's now. */
  readonly ts?: number;
}

export interface AuditQuery {
  readonly user?: string;
  readonly action?: string;
  readonly target?: string;
  readonly outcome?: AuditOutcome;
  /** Inclusive bounds on ts. */
  readonly since?: number;
  readonly until?: number;
  /** For paging backwards: only entries with a smaller id. */
  readonly beforeId?: number;
  /** Default 100, at most 1000. */
  readonly limit?: number;
}

const MAX_PAGE = 1000;

export const auditSchema: ModuleSchema = {
  module: 'audit',
  migrations: [
    (db) =>
      db.exec(`
        CREATE TABLE audit_log (
          id INTEGER PRIMARY KEY,
          ts INTEGER NOT NULL,
          user TEXT NOT NULL,
          action TEXT NOT NULL,
          target TEXT NOT NULL,
          outcome TEXT NOT NULL,
          detail TEXT
        ) STRICT;
        CREATE INDEX audit_log_by_ts ON audit_log (ts);
        CREATE INDEX audit_log_by_user ON audit_log (user, id);
        CREATE INDEX audit_log_by_target ON audit_log (target, id);
      `),
  ],
};

/**
 * Who did what to what, when, and how it ended. Written by the alert engine for alert actions and by
 * the console for everything else (logins, denied requests). Entries are written through a queue:
 * record() never throws because of the disk.
 */
export class AuditLog {
  private readonly queue: WriteQueue<AuditEntry>;
  private readonly clock: Pick<Clock, 'now'>;
  private nextId: number;

  constructor(
    private readonly database: BoxDatabase,
    options: { readonly clock?: Pick<Clock, 'now'> } = {},
  ) {
    if (database.schemaVersion(auditSchema.module) === 0) {
      throw new Error(`${database.file}: the audit tables are missing; pass auditSchema to openBoxDatabase`);
    }
    this.clock = options.clock ?? systemClock;
    const insert = database.connection.prepare<[number, number, string, string, string, string, string | null]>(
      'INSERT INTO audit_log (id, ts, user, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.queue = database.createWriteQueue<AuditEntry>('audit entries', (entries) => {
      for (const entry of entries) insert.run(entry.id, entry.ts, entry.user, entry.action, entry.target, entry.outcome, entry.detail);
    });
    const last = database.read('read the last audit id', (db) => db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM audit_log').get());
    this.nextId = (last?.id ?? 0) + 1;
  }

  record(input: AuditRecordInput): AuditEntry {
    const entry: AuditEntry = {
      id: this.nextId++,
      ts: input.ts ?? this.clock.now(),
      user: input.user,
      action: input.action,
      target: input.target,
      outcome: input.outcome,
      detail: input.detail ?? null,
    };
    this.queue.push(entry);
    this.queue.flush();
    return entry;
  }

  /** Newest first, including entries still waiting for the disk. */
  list(query: AuditQuery = {}): AuditEntry[] {
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 100)), MAX_PAGE);
    const pending = this.queue.pending().filter((entry) => matches(entry, query));
    const stored = this.database.read('read the audit log', (db) => selectEntries(db, query, limit));
    const pendingIds = new Set(pending.map((entry) => entry.id));
    return [...pending, ...stored.filter((entry) => !pendingIds.has(entry.id))].sort((a, b) => b.id - a.id).slice(0, limit);
  }
}

function selectEntries(db: Database, query: AuditQuery, limit: number): AuditEntry[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, value: string | number | undefined) => {
    if (value === undefined) return;
    where.push(clause);
    params.push(value);
  };
  add('user = ?', query.user);
  add('action = ?', query.action);
  add('target = ?', query.target);
  add('outcome = ?', query.outcome);
  add('ts >= ?', query.since);
  add('ts <= ?', query.until);
  add('id < ?', query.beforeId);
  const sql = `SELECT id, ts, user, action, target, outcome, detail FROM audit_log
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  return db.prepare<(string | number)[], AuditEntry>(sql).all(...params, limit);
}

function matches(entry: AuditEntry, query: AuditQuery): boolean {
  return (
    (query.user === undefined || entry.user === query.user) &&
    (query.action === undefined || entry.action === query.action) &&
    (query.target === undefined || entry.target === query.target) &&
    (query.outcome === undefined || entry.outcome === query.outcome) &&
    (query.since === undefined || entry.ts >= query.since) &&
    (query.until === undefined || entry.ts <= query.until) &&
    (query.beforeId === undefined || entry.id < query.beforeId)
  );
}
