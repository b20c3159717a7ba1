import type { Database, Statement } from 'better-sqlite3';
import type { BoxDatabase } from '../store/box-database.js';
import type { ModuleSchema } from '../store/schema-migrations.js';
import type { WriteQueue } from '../store/write-queue.js';
import type { Alert, AlertEvent, AlertState } from './alert.js';
import { PRIORITY_RANK, type AlertPriority } from './condition-report.js';

export const alertsSchema: ModuleSchema = {
  module: 'alerts',
  migrations: [
    (db) =>
      db.exec(`
        CREATE TABLE alerts (
          id INTEGER PRIMARY KEY,
          condition_id TEXT NOT NULL,
          asset TEXT NOT NULL,
          priority_rank INTEGER NOT NULL,
          state TEXT NOT NULL,
          last_activated_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          record TEXT NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX alerts_one_open_per_condition ON alerts (condition_id) WHERE state <> 'normal';
        CREATE INDEX alerts_by_state ON alerts (state, priority_rank, last_activated_at);
        CREATE TABLE alert_events (
          id INTEGER PRIMARY KEY,
          ts INTEGER NOT NULL,
          type TEXT NOT NULL,
          alert_id INTEGER,
          condition_id TEXT,
          asset TEXT,
          from_state TEXT,
          to_state TEXT,
          cause TEXT NOT NULL,
          who TEXT NOT NULL,
          comment TEXT,
          details TEXT,
          alert TEXT
        ) STRICT;
        CREATE INDEX alert_events_by_alert ON alert_events (alert_id, id);
        CREATE INDEX alert_events_by_ts ON alert_events (ts);
      `),
  ],
};

export interface ClosedAlertQuery {
  readonly priorities?: readonly AlertPriority[];
  readonly assets?: readonly string[];
  readonly limit: number;
}

interface EventRow {
  id: number;
  ts: number;
  type: string;
  alert_id: number | null;
  condition_id: string | null;
  asset: string | null;
  from_state: string | null;
  to_state: string | null;
  cause: string;
  who: string;
  comment: string | null;
  details: string | null;
  alert: string | null;
}

const EVENT_COLUMNS = 'id, ts, type, alert_id, condition_id, asset, from_state, to_state, cause, who, comment, details, alert';

/**
 * The alerts' tables: every event, and the latest state of every alert (upserted from the snapshot
 * each event carries). Writes go through a queue, so reads merge what is still pending.
 */
export class AlertStore {
  private readonly queue: WriteQueue<AlertEvent>;
  private readonly eventsAfterStatement: Statement<[number, number], EventRow>;
  private readonly eventsOfStatement: Statement<[number, number], EventRow>;
  private readonly alertStatement: Statement<[number], { record: string }>;

  constructor(private readonly database: BoxDatabase) {
    if (database.schemaVersion(alertsSchema.module) === 0) {
      throw new Error(`${database.file}: the alert tables are missing; pass alertsSchema to openBoxDatabase`);
    }
    const db = database.connection;
    const insertEvent = db.prepare(`INSERT INTO alert_events (${EVENT_COLUMNS}) VALUES (${EVENT_COLUMNS.replace(/\w+/g, '?')})`);
    const upsertAlert = db.prepare(
      `INSERT INTO alerts (id, condition_id, asset, priority_rank, state, last_activated_at, updated_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET asset = excluded.asset, priority_rank = excluded.priority_rank, state = excluded.state,
         last_activated_at = excluded.last_activated_at, updated_at = excluded.updated_at, record = excluded.record`,
    );
    this.queue = database.createWriteQueue<AlertEvent>('alert events', (events) => {
      for (const event of events) {
        const alert = event.alert;
        insertEvent.run(
          event.id, event.ts, event.type, event.alertId, event.conditionId, event.asset, event.fromState, event.toState,
          event.cause, event.who, event.comment, toJson(event.details), alert === null ? null : toJson(alert),
        );
        if (alert !== null) {
          upsertAlert.run(alert.id, alert.conditionId, alert.asset, PRIORITY_RANK[alert.priority], alert.state, alert.lastActivatedAt, alert.updatedAt, toJson(alert));
        }
      }
    });
    this.eventsAfterStatement = db.prepare(`SELECT ${EVENT_COLUMNS} FROM alert_events WHERE id > ? ORDER BY id LIMIT ?`);
    this.eventsOfStatement = db.prepare(`SELECT ${EVENT_COLUMNS} FROM alert_events WHERE alert_id = ? ORDER BY id DESC LIMIT ?`);
    this.alertStatement = db.prepare('SELECT record FROM alerts WHERE id = ?');
  }

  /** Queues an event (and the alert snapshot it carries); call flush() at the end of the operation. */
  append(event: AlertEvent): void {
    this.queue.push(event);
  }

  flush(): void {
    this.queue.flush();
  }

  pendingCount(): number {
    return this.queue.pending().length;
  }

  lostCount(): number {
    return this.queue.lost;
  }

  loadOpenAlerts(): Alert[] {
    return this.database.read('load the open alerts', (db) =>
      db
        .prepare<[], { record: string }>("SELECT record FROM alerts WHERE state <> 'normal' ORDER BY id")
        .all()
        .map((row) => JSON.parse(row.record) as Alert),
    );
  }

  lastIds(): { eventId: number; alertId: number } {
    return this.database.read('read the last alert ids', (db) => ({
      eventId: db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM alert_events').get()?.id ?? 0,
      alertId: db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM alerts').get()?.id ?? 0,
    }));
  }

  /** Times of annunciations (transitions into active-unacked) at or after `since`, for the flood window. */
  annunciationTimesSince(since: number): number[] {
    return this.database.read('read recent annunciations', (db) =>
      db
        .prepare<[number], { ts: number }>(
          `SELECT ts FROM alert_events WHERE ts >= ? AND to_state = 'active-unacked' AND (from_state IS NULL OR from_state <> 'active-unacked')`,
        )
        .all(since)
        .map((row) => row.ts),
    );
  }

  /** The start of a flood that had not ended when the process stopped, or null. */
  unfinishedFloodSince(): number | null {
    const last = this.database.read('read the flood state', (db) =>
      db.prepare<[], { type: string; ts: number }>("SELECT type, ts FROM alert_events WHERE type IN ('flood-started', 'flood-ended') ORDER BY id DESC LIMIT 1").get(),
    );
    return last?.type === 'flood-started' ? last.ts : null;
  }

  /** Any alert, open or closed, as last written (pending writes included). */
  findAlert(id: number): Alert | undefined {
    const pending = this.queue.pending();
    for (let i = pending.length - 1; i >= 0; i--) {
      const alert = pending[i]!.alert;
      if (alert?.id === id) return alert;
    }
    return this.database.read('read an alert', () => {
      const row = this.alertStatement.get(id);
      return row === undefined ? undefined : (JSON.parse(row.record) as Alert);
    });
  }

  /** Closed alerts, most urgent then most recent first. */
  listClosed(query: ClosedAlertQuery): Alert[] {
    const where = ["state = 'normal'"];
    const params: (string | number)[] = [];
    if (query.priorities !== undefined) {
      where.push(`priority_rank IN (${query.priorities.map(() => '?').join(', ') || 'NULL'})`);
      params.push(...query.priorities.map((priority) => PRIORITY_RANK[priority]));
    }
    if (query.assets !== undefined) {
      where.push(`asset IN (${query.assets.map(() => '?').join(', ') || 'NULL'})`);
      params.push(...query.assets);
    }
    const stored = this.database.read('list closed alerts', (db) =>
      db
        .prepare<(string | number)[], { record: string }>(
          `SELECT record FROM alerts WHERE ${where.join(' AND ')} ORDER BY priority_rank, last_activated_at DESC, id DESC LIMIT ?`,
        )
        .all(...params, query.limit)
        .map((row) => JSON.parse(row.record) as Alert),
    );
    const pendingById = new Map<number, Alert>();
    for (const event of this.queue.pending()) if (event.alert !== null) pendingById.set(event.alert.id, event.alert);
    const merged = stored.filter((alert) => !pendingById.has(alert.id));
    for (const alert of pendingById.values()) {
      if (alert.state === 'normal' && (query.priorities?.includes(alert.priority) ?? true) && (query.assets?.includes(alert.asset) ?? true)) merged.push(alert);
    }
    return merged;
  }

  /** The newest `limit` events of one alert, oldest first. */
  eventsOf(alertId: number, limit: number): AlertEvent[] {
    const stored = this.database.read('read alert events', () => this.eventsOfStatement.all(alertId, limit).map(eventFromRow)).reverse();
    const pending = this.queue.pending().filter((event) => event.alertId === alertId);
    return [...stored, ...pending].slice(-limit);
  }

  /** Events with id > afterId, oldest first, at most `limit`. */
  eventsAfter(afterId: number, limit: number): AlertEvent[] {
    const stored = this.database.read('read alert events', () => this.eventsAfterStatement.all(afterId, limit).map(eventFromRow));
    if (stored.length >= limit) return stored;
    const lastStored = stored.at(-1)?.id ?? afterId;
    const pending = this.queue.pending().filter((event) => event.id > lastStored);
    return [...stored, ...pending.slice(0, limit - stored.length)];
  }
}

function eventFromRow(row: EventRow): AlertEvent {
  return {
    id: row.id,
    ts: row.ts,
    type: row.type as AlertEvent['type'],
    alertId: row.alert_id,
    conditionId: row.condition_id,
    asset: row.asset,
    fromState: row.from_state as AlertState | null,
    toState: row.to_state as AlertState | null,
    cause: row.cause as AlertEvent['cause'],
    who: row.who,
    comment: row.comment,
    details: row.details === null ? null : JSON.parse(row.details),
    alert: row.alert === null ? null : (JSON.parse(row.alert) as Alert),
  };
}

/** JSON for a column; details that cannot be serialised (cycles, BigInt) are replaced by a note, not lost silently. */
function toJson(value: unknown): string {
  try {
    return JSON.stringify(value ?? null);
  } catch (error) {
    return JSON.stringify({ unserializable: error instanceof Error ? error.message : String(error) });
  }
}
