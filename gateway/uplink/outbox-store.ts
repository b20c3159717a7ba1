import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { CHANNEL_CODE, CHANNELS, CLASS_CODE, MESSAGE_CLASSES, type ChannelName, type MessageClass, type OutboxMessage } from './message-class.js';

/** Bytes a row costs beyond its topic and payload (row header, two index entries); keeps `bytes` close to the file's use. */
export const ROW_OVERHEAD_BYTES = 48;
const SCHEMA_VERSION = 1;
/** Rows deleted per statement when expiring, so a large expiry does not build one huge result. */
const EXPIRE_CHUNK = 10_000;

export interface ClassTotals {
  rows: number;
  bytes: number;
}

export function messageBytes(message: Pick<OutboxMessage, 'topic' | 'payload'>): number {
  return message.payload.length + Buffer.byteLength(message.topic) + ROW_OVERHEAD_BYTES;
}

interface Row {
  seq: number;
  channel: number;
  class: number;
  created: number;
  topic: string;
  payload: Buffer;
}

/**
 * The buffer's table in one SQLite database: a file (WAL) or ':memory:' for the fallback. Keeps running
 * totals per class so bounds are checked without queries. Methods throw SQLite's errors as they are;
 * the Outbox decides what a failure means.
 */
export class OutboxStore {
  readonly totals: Record<MessageClass, ClassTotals> = { alert: { rows: 0, bytes: 0 }, finding: { rows: 0, bytes: 0 }, telemetry: { rows: 0, bytes: 0 } };
  readonly #db: Database;
  readonly #insert: Statement;
  readonly #setHighWater: Statement;
  readonly #fetch: Statement<[number, number, number, number], Row>;
  readonly #delete: Statement<[string], { class: number; size: number }>;
  readonly #dropOldest: Statement<[number, number], { size: number }>;
  readonly #expire: Statement<[number, number, number], { size: number }>;
  readonly #oldest: Statement<[number], { created: number | null }>;
  readonly #countUpTo: Statement<[number, number, number], { n: number }>;
  readonly #insertAll: (messages: readonly OutboxMessage[], highWater: number) => void;

  private constructor(db: Database) {
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO outbox (seq, channel, class, created, size, topic, payload) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#setHighWater = db.prepare("INSERT INTO uplink_meta (key, value) VALUES ('seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE excluded.value > value");
    this.#fetch = db.prepare('SELECT seq, channel, class, created, topic, payload FROM outbox WHERE channel = ? AND class = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.#delete = db.prepare('DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?)) RETURNING class, size');
    this.#dropOldest = db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE class = ? ORDER BY created, seq LIMIT ?) RETURNING size');
    this.#expire = db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE class = ? AND created < ? ORDER BY created LIMIT ?) RETURNING size');
    this.#oldest = db.prepare('SELECT min(created) AS created FROM outbox WHERE class = ?');
    this.#countUpTo = db.prepare('SELECT count(*) AS n FROM outbox WHERE channel = ? AND class = ? AND seq <= ?');
    this.#insertAll = db.transaction((messages: readonly OutboxMessage[], highWater: number) => {
      for (const m of messages) {
        this.#insert.run(m.seq, CHANNEL_CODE[m.channel], CLASS_CODE[m.cls], m.created, messageBytes(m), m.topic, m.payload);
      }
      this.#setHighWater.run(highWater);
    });
    const rows = db.prepare('SELECT class, count(*) AS rows, sum(size) AS bytes FROM outbox GROUP BY class').all() as { class: number; rows: number; bytes: number }[];
    for (const row of rows) {
      const totals = this.totals[MESSAGE_CLASSES[row.class] ?? 'telemetry'];
      totals.rows += row.rows;
      totals.bytes += row.bytes;
    }
  }

  /** Opens or creates the file (and its folder); ':memory:' for a store that lives as long as the process. */
  static open(file: string, synchronous: 'normal' | 'full'): OutboxStore {
    const memory = file === ':memory:';
    if (!memory) mkdirSync(dirname(file), { recursive: true });
    // No busy wait: only this process uses the file, and a wait would stall the live path.
    const db = new BetterSqlite3(file, { timeout: 0 });
    try {
      if (!memory) {
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
        db.pragma('journal_size_limit = 16777216');
      }
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw Object.assign(new Error(`the file was written by a newer Millwright (buffer schema ${version}, this build knows ${SCHEMA_VERSION})`), { code: 'NEWER_SCHEMA' });
      }
      db.exec(`
        CREATE TABLE IF NOT EXISTS outbox (
          seq INTEGER PRIMARY KEY,
          channel INTEGER NOT NULL,
          class INTEGER NOT NULL,
          created INTEGER NOT NULL,
          size INTEGER NOT NULL,
          topic TEXT NOT NULL,
          payload BLOB NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS outbox_send ON outbox (channel, class, seq);
        CREATE INDEX IF NOT EXISTS outbox_age ON outbox (class, created);
        CREATE TABLE IF NOT EXISTS uplink_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
        PRAGMA user_version = ${SCHEMA_VERSION};
      `);
      return new OutboxStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  get rows(): number {
    return this.totals.alert.rows + this.totals.finding.rows + this.totals.telemetry.rows;
  }

  get bytes(): number {
    return this.totals.alert.bytes + this.totals.finding.bytes + this.totals.telemetry.bytes;
  }

  /** The highest seq ever stored here (rows may be gone), or 0. */
  highWater(): number {
    const row = this.#db.prepare("SELECT max(coalesce((SELECT value FROM uplink_meta WHERE key = 'seq'), 0), coalesce((SELECT max(seq) FROM outbox), 0)) AS seq").get() as { seq: number };
    return row.seq;
  }

  /** All in one transaction: on failure nothing is stored and the error is thrown. */
  insert(messages: readonly OutboxMessage[], highWater: number): void {
    this.#insertAll(messages, highWater);
    for (const m of messages) {
      const totals = this.totals[m.cls];
      totals.rows += 1;
      totals.bytes += messageBytes(m);
    }
  }

  /** The oldest messages of one channel and class after `afterSeq`, in seq order. */
  fetch(channel: ChannelName, cls: MessageClass, afterSeq: number, limit: number): OutboxMessage[] {
    return this.#fetch.all(CHANNEL_CODE[channel], CLASS_CODE[cls], afterSeq, limit).map((row) => ({
      seq: row.seq,
      channel,
      cls,
      created: row.created,
      topic: row.topic,
      payload: row.payload,
    }));
  }

  /** Every message, in seq order (to move the memory fallback back to disk). */
  all(): OutboxMessage[] {
    const rows = this.#db.prepare('SELECT seq, channel, class, created, topic, payload FROM outbox ORDER BY seq').all() as Row[];
    return rows.map((row) => ({
      seq: row.seq,
      channel: CHANNELS[row.channel] ?? 'json',
      cls: MESSAGE_CLASSES[row.class] ?? 'telemetry',
      created: row.created,
      topic: row.topic,
      payload: row.payload,
    }));
  }

  /** Deletes what exists of `seqs`; returns how many rows went. */
  delete(seqs: readonly number[]): number {
    if (seqs.length === 0) return 0;
    const deleted = this.#delete.all(JSON.stringify(seqs));
    for (const row of deleted) {
      const totals = this.totals[MESSAGE_CLASSES[row.class] ?? 'telemetry'];
      totals.rows -= 1;
      totals.bytes -= row.size;
    }
    return deleted.length;
  }

  /** Deletes the `count` oldest rows of a class; returns how many went. */
  dropOldest(cls: MessageClass, count: number): number {
    return this.#account(cls, this.#dropOldest.all(CLASS_CODE[cls], count));
  }

  /** Deletes the rows of a class accepted before `cutoff`; returns how many went. */
  dropOlderThan(cls: MessageClass, cutoff: number): number {
    let dropped = 0;
    for (;;) {
      const chunk = this.#account(cls, this.#expire.all(CLASS_CODE[cls], cutoff, EXPIRE_CHUNK));
      dropped += chunk;
      if (chunk < EXPIRE_CHUNK) return dropped;
    }
  }

  oldestCreated(cls: MessageClass): number | null {
    return this.#oldest.get(CLASS_CODE[cls])?.created ?? null;
  }

  /** Rows of a channel with seq <= `seq` (the backlog when a connection starts). */
  countUpTo(channel: ChannelName, seq: number): number {
    let n = 0;
    for (const cls of MESSAGE_CLASSES) n += this.#countUpTo.get(CHANNEL_CODE[channel], CLASS_CODE[cls], seq)?.n ?? 0;
    return n;
  }

  clear(): void {
    this.#db.exec('DELETE FROM outbox');
    for (const cls of MESSAGE_CLASSES) this.totals[cls] = { rows: 0, bytes: 0 };
  }

  close(): void {
    this.#db.close();
  }

  #account(cls: MessageClass, deleted: readonly { size: number }[]): number {
    const totals = this.totals[cls];
    for (const row of deleted) {
      totals.rows -= 1;
      totals.bytes -= row.size;
    }
    return deleted.length;
  }
}
