import { silentLogger, type Logger } from '../../gateway/logger.js';
import type { Quality, Sample } from '../../gateway/sample.js';
import type { BoxDatabase } from './box-database.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { BYTES_PER_CELL, decodeCells, emptyCells, encodeCells, qualityCode, qualityOf, widenCells, type SecondCells } from './history-cells.js';
import type { ModuleSchema } from './schema-migrations.js';
import type { WriteQueue } from './write-queue.js';

/**
 * Tables: `history_layouts` names the signals of an asset in the order its stored seconds hold them
 * (a new layout when the asset's signals change); `history_seconds` holds one row per asset and second,
 * every signal's last value and quality in one blob (9 bytes a signal); `history_assets` keeps each
 * asset's kind and running condition, so calibration can run from the data folder alone.
 */
export const assetHistorySchema: ModuleSchema = {
  module: 'asset-history',
  migrations: [
    (db) =>
      db.exec(`
        CREATE TABLE history_layouts (
          id INTEGER PRIMARY KEY,
          asset TEXT NOT NULL,
          signals TEXT NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX history_layouts_by_asset ON history_layouts (asset, signals);
        CREATE TABLE history_seconds (
          layout INTEGER NOT NULL,
          second INTEGER NOT NULL,
          cells BLOB NOT NULL,
          PRIMARY KEY (layout, second)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE history_assets (
          asset TEXT PRIMARY KEY,
          description TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;
      `),
  ],
};

export const DEFAULT_HISTORY_RETENTION_DAYS = 3;
export const DEFAULT_HISTORY_MAX_MEGABYTES = 1024;

export interface AssetHistoryOptions {
  /** Seconds older than this (by the clock) are deleted. Default 3 days. */
  readonly retentionMs?: number;
  /** Bound on the stored seconds (estimated bytes); the oldest go first. Default 1 GiB. */
  readonly maxBytes?: number;
  /** A second stays open for late readings until the asset's newest reading is this far past it. Default 2000 ms. */
  readonly graceMs?: number;
  /** How often closed seconds are written. Default 1000 ms. */
  readonly flushIntervalMs?: number;
  /** How often retention and the size bound are applied. Default 60 s. */
  readonly pruneIntervalMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** What calibration needs to know about an asset without its configuration file. */
export interface StoredAssetDescription {
  readonly kind: string;
  readonly running?: { readonly signal: string; readonly above?: number; readonly equals?: number };
}

/** One stored second of an asset: a value and quality per signal of the range's `signals`. */
export interface HistoryRow {
  readonly ts: number;
  readonly values: Float64Array;
  /** Per signal: null when no reading fell in that second. */
  readonly qualities: readonly (Quality | null)[];
}

export interface HistoryRange {
  readonly asset: string;
  /** Every signal stored for the asset in the range, in a stable order. */
  readonly signals: readonly string[];
  /** Oldest first, one per stored second. */
  readonly rows: readonly HistoryRow[];
}

export interface HistorySpan {
  /** ms of the first and last stored second. */
  readonly from: number;
  readonly to: number;
  /** Stored seconds (an asset that was silent or stopped has gaps). */
  readonly seconds: number;
}

export interface SignalStatistics {
  readonly asset: string;
  readonly signal: string;
  readonly from: number;
  readonly to: number;
  /** Seconds with a reading of the signal; `good` of them good or uncertain with a finite value. */
  readonly seconds: number;
  readonly good: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  /** Population standard deviation of the good values. */
  readonly std: number | null;
  readonly first: { readonly ts: number; readonly value: number } | null;
  readonly last: { readonly ts: number; readonly value: number } | null;
}

export interface AssetHistoryStats {
  readonly secondsWritten: number;
  /** Readings for a second already written (or past the grace period): dropped, counted. */
  readonly lateSamples: number;
  /** Estimated size of the stored seconds. */
  readonly bytesStored: number;
  readonly secondsPruned: number;
  /** Seconds kept in memory, not yet closed. */
  readonly openSeconds: number;
}

interface OpenAsset {
  readonly signals: string[];
  readonly index: Map<string, number>;
  readonly seconds: Map<number, SecondCells>;
  newestSecond: number;
  /** Seconds up to this one have been handed to the write queue. */
  flushedThrough: number;
}

interface ClosedSecond {
  readonly asset: string;
  /** The asset's signals when the second was closed (the layout). */
  readonly signals: readonly string[];
  readonly second: number;
  readonly cells: Buffer;
}

/** Per stored row beyond its cells: key, record header and b-tree share (an estimate). */
const ROW_OVERHEAD_BYTES = 16;
const HOUR_SECONDS = 3600;
const RECOUNT_EVERY_MS = 6 * 3600_000;
const LOOKBACK_PAGE_MS = 3600_000;

/**
 * Each asset's signals on a 1 s grid in the box's SQLite file: the last reading of every signal in each
 * second, with its quality. Samples are gathered in memory per second (`add`, the hot path: a few map
 * lookups) and written in one transaction a second once closed, through a write queue: a failing disk is
 * counted and shown in health, never felt by the live path. Retention and a size bound keep it finite.
 */
export class AssetHistory {
  private readonly open = new Map<string, OpenAsset>();
  private readonly queue: WriteQueue<ClosedSecond>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly retentionMs: number;
  private readonly maxBytes: number;
  private readonly graceSeconds: number;
  private readonly flushIntervalMs: number;
  private readonly pruneIntervalMs: number;
  private flushTimer: TimerHandle | undefined;
  private pruneTimer: TimerHandle | undefined;
  private running = false;
  private bytesStored: number | undefined;
  private countedAt = 0;
  private secondsWritten = 0;
  private lateSamples = 0;
  private secondsPruned = 0;

  constructor(
    private readonly database: BoxDatabase,
    options: AssetHistoryOptions = {},
  ) {
    if (database.schemaVersion(assetHistorySchema.module) === 0) {
      throw new Error(`${database.file}: the asset history tables are missing; pass assetHistorySchema to openBoxDatabase`);
    }
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.retentionMs = options.retentionMs ?? DEFAULT_HISTORY_RETENTION_DAYS * 86_400_000;
    this.maxBytes = options.maxBytes ?? DEFAULT_HISTORY_MAX_MEGABYTES * 1024 * 1024;
    this.graceSeconds = Math.ceil((options.graceMs ?? 2000) / 1000);
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 60_000;
    const db = database.connection;
    const findLayout = db.prepare<[string, string], { id: number }>('SELECT id FROM history_layouts WHERE asset = ? AND signals = ?');
    const addLayout = db.prepare<[string, string]>('INSERT INTO history_layouts (asset, signals) VALUES (?, ?)');
    const insert = db.prepare<[number, number, Buffer]>('INSERT OR REPLACE INTO history_seconds (layout, second, cells) VALUES (?, ?, ?)');
    // Layout ids are looked up inside each write transaction: a cached id could name a rolled-back insert.
    this.queue = database.createWriteQueue<ClosedSecond>('history seconds', (seconds) => {
      const layouts = new Map<string, number>();
      for (const closed of seconds) {
        const signals = JSON.stringify(closed.signals);
        const key = `${closed.asset}\u0000${signals}`;
        let layout = layouts.get(key);
        if (layout === undefined) {
          layout = findLayout.get(closed.asset, signals)?.id ?? Number(addLayout.run(closed.asset, signals).lastInsertRowid);
          layouts.set(key, layout);
        }
        insert.run(layout, closed.second, closed.cells);
      }
    }, 20_000);
  }

  /** Arms the flush and prune timers. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleFlush();
    this.schedulePrune(0);
  }

  /** Cancels the timers and writes every second still open. */
  stop(): void {
    this.running = false;
    if (this.flushTimer !== undefined) this.clock.clearTimeout(this.flushTimer);
    if (this.pruneTimer !== undefined) this.clock.clearTimeout(this.pruneTimer);
    this.flushTimer = undefined;
    this.pruneTimer = undefined;
    this.flush(true);
  }

  /** Takes a bus batch: each reading becomes its signal's value for its second. */
  add(batch: readonly Sample[]): void {
    for (const sample of batch) {
      if (!Number.isFinite(sample.ts)) continue;
      const asset = this.assetOf(sample.asset);
      const second = Math.floor(sample.ts / 1000);
      if (second <= asset.flushedThrough) {
        this.lateSamples += 1;
        continue;
      }
      let index = asset.index.get(sample.signal);
      if (index === undefined) {
        index = asset.signals.length;
        asset.signals.push(sample.signal);
        asset.index.set(sample.signal, index);
      }
      let cells = asset.seconds.get(second);
      if (cells === undefined || cells.values.length <= index) {
        cells = cells === undefined ? emptyCells(asset.signals.length) : widenCells(cells, asset.signals.length);
        asset.seconds.set(second, cells);
      }
      const bad = sample.quality === 'bad' || !Number.isFinite(sample.value);
      cells.values[index] = bad ? Number.NaN : sample.value;
      cells.qualities[index] = qualityCode(bad ? 'bad' : sample.quality);
      if (second > asset.newestSecond) asset.newestSecond = second;
    }
  }

  /**
   * Hands closed seconds (all of them with `everything`) to the write queue and writes them in one
   * transaction. Runs on its own timer once started; tests and shutdown call it directly.
   */
  flush(everything = false): void {
    for (const [assetId, asset] of this.open) {
      const closeThrough = everything ? Infinity : asset.newestSecond - this.graceSeconds;
      const due = [...asset.seconds.keys()].filter((second) => second <= closeThrough).sort((a, b) => a - b);
      for (const second of due) {
        const cells = asset.seconds.get(second) as SecondCells;
        asset.seconds.delete(second);
        this.queue.push({ asset: assetId, signals: [...asset.signals], second, cells: encodeCells(cells, asset.signals.length) });
        asset.flushedThrough = Math.max(asset.flushedThrough, second);
      }
    }
    const pending = this.queue.pending();
    const bytes = pending.reduce((sum, closed) => sum + closed.cells.length + ROW_OVERHEAD_BYTES, 0);
    const count = pending.length;
    if (count > 0 && this.queue.flush()) {
      this.secondsWritten += count;
      if (this.bytesStored !== undefined) this.bytesStored += bytes;
    }
  }

  /** Deletes seconds past the retention, then the oldest hours while the estimated size is over the bound. */
  prune(): void {
    const db = this.database.connection;
    const layouts = this.database.read('list the history layouts', () =>
      db.prepare<[], { id: number; signals: string }>('SELECT id, signals FROM history_layouts').all(),
    );
    const now = this.clock.now();
    if (this.bytesStored === undefined || now - this.countedAt > RECOUNT_EVERY_MS) this.recount(layouts);
    const rowBytes = new Map(layouts.map((layout) => [layout.id, (JSON.parse(layout.signals) as string[]).length * BYTES_PER_CELL + ROW_OVERHEAD_BYTES]));
    const deleteBefore = db.prepare<[number, number]>('DELETE FROM history_seconds WHERE layout = ? AND second < ?');
    const removeBefore = (cutoffSecond: number): number => {
      let removed = 0;
      this.database.write('prune the asset history', () => {
        for (const layout of layouts) {
          const changes = deleteBefore.run(layout.id, cutoffSecond).changes;
          removed += changes;
          this.bytesStored = Math.max(0, (this.bytesStored ?? 0) - changes * (rowBytes.get(layout.id) ?? 0));
        }
      });
      return removed;
    };
    this.secondsPruned += removeBefore(Math.floor((now - this.retentionMs) / 1000));
    while ((this.bytesStored ?? 0) > this.maxBytes) {
      const oldest = this.database.read('find the oldest history second', () => db.prepare<[], { first: number | null }>('SELECT min(second) AS first FROM history_seconds').get());
      if (oldest?.first === null || oldest?.first === undefined) break;
      const removed = removeBefore(oldest.first + HOUR_SECONDS);
      this.secondsPruned += removed;
      if (removed === 0) break;
    }
  }

  /** Records each asset's kind and running condition (the box does it at start from its configuration). */
  describeAssets(assets: Readonly<Record<string, StoredAssetDescription>>): void {
    const upsert = this.database.connection.prepare<[string, string, number]>(
      'INSERT INTO history_assets (asset, description, updated_at) VALUES (?, ?, ?) ON CONFLICT (asset) DO UPDATE SET description = excluded.description, updated_at = excluded.updated_at',
    );
    const now = this.clock.now();
    this.database.write('record the assets of the history', () => {
      for (const [asset, { kind, running }] of Object.entries(assets)) upsert.run(asset, JSON.stringify({ kind, ...(running ? { running } : {}) }), now);
    });
  }

  assetDescription(asset: string): StoredAssetDescription | undefined {
    const row = this.database.read('read an asset of the history', (db) =>
      db.prepare<[string], { description: string }>('SELECT description FROM history_assets WHERE asset = ?').get(asset),
    );
    return row ? (JSON.parse(row.description) as StoredAssetDescription) : undefined;
  }

  /** Assets with stored seconds or a stored description. */
  assets(): string[] {
    const rows = this.database.read('list the assets of the history', (db) =>
      db.prepare<[], { asset: string }>('SELECT asset FROM history_layouts UNION SELECT asset FROM history_assets ORDER BY asset').all(),
    );
    return rows.map((row) => row.asset);
  }

  /** The first and last stored second of an asset (written ones and those waiting), or null when none. */
  span(asset: string): HistorySpan | null {
    const stored = this.database.read(`read the history span of ${asset}`, (db) =>
      db
        .prepare<[string], { first: number | null; last: number | null; seconds: number }>(
          'SELECT min(second) AS first, max(second) AS last, count(*) AS seconds FROM history_seconds WHERE layout IN (SELECT id FROM history_layouts WHERE asset = ?)',
        )
        .get(asset),
    );
    const waiting = this.waitingSeconds(asset).map(({ second }) => second);
    const all = [...(stored?.first === null || stored?.first === undefined ? [] : [stored.first, stored.last as number]), ...waiting];
    if (all.length === 0) return null;
    return { from: Math.min(...all) * 1000, to: Math.max(...all) * 1000, seconds: (stored?.seconds ?? 0) + waiting.length };
  }

  /** Every stored second of the asset with from <= ts <= to (ms), oldest first, including seconds not yet written. */
  read(asset: string, from: number, to: number): HistoryRange {
    const fromSecond = Math.ceil(from / 1000);
    const toSecond = Math.floor(to / 1000);
    const stored = this.database.read(`read the history of ${asset}`, (db) =>
      db
        .prepare<[string, number, number], { signals: string; second: number; cells: Buffer }>(
          `SELECT l.signals, s.second, s.cells FROM history_seconds s JOIN history_layouts l ON l.id = s.layout
           WHERE l.asset = ? AND s.second BETWEEN ? AND ? ORDER BY s.second`,
        )
        .all(asset, fromSecond, toSecond),
    );
    const parsed = new Map<string, readonly string[]>();
    const entries = stored.map((row) => {
      let signals = parsed.get(row.signals);
      if (!signals) {
        signals = JSON.parse(row.signals) as string[];
        parsed.set(row.signals, signals);
      }
      return { second: row.second, signals, cells: decodeCells(row.cells) };
    });
    const storedSeconds = new Set(entries.map((entry) => entry.second));
    for (const waiting of this.waitingSeconds(asset)) {
      if (waiting.second >= fromSecond && waiting.second <= toSecond && !storedSeconds.has(waiting.second)) entries.push(waiting);
    }
    entries.sort((a, b) => a.second - b.second);
    const union: string[] = [];
    const position = new Map<string, number>();
    for (const entry of entries) {
      for (const signal of entry.signals) {
        if (position.has(signal)) continue;
        position.set(signal, union.length);
        union.push(signal);
      }
    }
    const rows = entries.map(({ second, signals, cells }): HistoryRow => {
      const values = new Float64Array(union.length).fill(Number.NaN);
      const qualities: (Quality | null)[] = new Array<Quality | null>(union.length).fill(null);
      signals.forEach((signal, i) => {
        if (i >= cells.values.length) return;
        const at = position.get(signal) as number;
        values[at] = cells.values[i] as number;
        qualities[at] = qualityOf(cells.qualities[i] as number);
      });
      return { ts: second * 1000, values, qualities };
    });
    return { asset, signals: union, rows };
  }

  /** The stored seconds as Samples stamped at the start of their second (source "history"), oldest first. */
  samples(asset: string, from: number, to: number): Sample[] {
    const range = this.read(asset, from, to);
    const samples: Sample[] = [];
    for (const row of range.rows) {
      range.signals.forEach((signal, i) => {
        const quality = row.qualities[i];
        if (quality === null || quality === undefined) return;
        samples.push({ asset, signal, value: row.values[i] as number, ts: row.ts, quality, source: 'history' });
      });
    }
    return samples;
  }

  /**
   * The newest good reading of a signal before `beforeTs`, searching back at most `lookbackMs`: the state
   * of a signal that is only sent when it changes (a PLC's run state) at the start of a range.
   */
  lastReading(asset: string, signal: string, beforeTs: number, lookbackMs = this.retentionMs): { ts: number; value: number } | null {
    const oldest = beforeTs - lookbackMs;
    for (let to = beforeTs - 1; to >= oldest; to -= LOOKBACK_PAGE_MS) {
      const range = this.read(asset, Math.max(oldest, to - LOOKBACK_PAGE_MS + 1), to);
      const i = range.signals.indexOf(signal);
      if (i < 0) continue;
      for (let r = range.rows.length - 1; r >= 0; r--) {
        const row = range.rows[r] as HistoryRow;
        const quality = row.qualities[i];
        if (quality !== null && quality !== undefined && quality !== 'bad' && Number.isFinite(row.values[i])) return { ts: row.ts, value: row.values[i] as number };
      }
    }
    return null;
  }

  /** One signal over a range: how much data there is, its range, mean and spread, first and last good value. */
  statistics(asset: string, signal: string, from: number, to: number): SignalStatistics {
    const range = this.read(asset, from, to);
    const i = range.signals.indexOf(signal);
    let seconds = 0;
    let good = 0;
    let sum = 0;
    let sumSquares = 0;
    let min = Infinity;
    let max = -Infinity;
    let first: { ts: number; value: number } | null = null;
    let last: { ts: number; value: number } | null = null;
    if (i >= 0) {
      for (const row of range.rows) {
        const quality = row.qualities[i];
        if (quality === null || quality === undefined) continue;
        seconds += 1;
        const value = row.values[i] as number;
        if (quality === 'bad' || !Number.isFinite(value)) continue;
        good += 1;
        sum += value;
        sumSquares += value * value;
        min = Math.min(min, value);
        max = Math.max(max, value);
        first ??= { ts: row.ts, value };
        last = { ts: row.ts, value };
      }
    }
    const mean = good > 0 ? sum / good : null;
    return {
      asset,
      signal,
      from,
      to,
      seconds,
      good,
      min: good > 0 ? min : null,
      max: good > 0 ? max : null,
      mean,
      std: mean === null ? null : Math.sqrt(Math.max(0, sumSquares / good - mean * mean)),
      first,
      last,
    };
  }

  stats(): AssetHistoryStats {
    let openSeconds = 0;
    for (const asset of this.open.values()) openSeconds += asset.seconds.size;
    return { secondsWritten: this.secondsWritten, lateSamples: this.lateSamples, bytesStored: this.bytesStored ?? 0, secondsPruned: this.secondsPruned, openSeconds };
  }

  private assetOf(id: string): OpenAsset {
    let asset = this.open.get(id);
    if (!asset) {
      asset = { signals: [], index: new Map(), seconds: new Map(), newestSecond: -Infinity, flushedThrough: -Infinity };
      this.open.set(id, asset);
    }
    return asset;
  }

  /** Seconds of the asset not in the table yet: waiting in the write queue or still open. */
  private waitingSeconds(asset: string): { second: number; signals: readonly string[]; cells: SecondCells }[] {
    const waiting = this.queue
      .pending()
      .filter((closed) => closed.asset === asset)
      .map((closed) => ({ second: closed.second, signals: closed.signals, cells: decodeCells(closed.cells) }));
    const open = this.open.get(asset);
    if (open) for (const [second, cells] of open.seconds) waiting.push({ second, signals: [...open.signals], cells });
    return waiting;
  }

  private recount(layouts: readonly { id: number; signals: string }[]): void {
    const counts = this.database.read('count the asset history', (db) =>
      db.prepare<[], { layout: number; rows: number }>('SELECT layout, count(*) AS rows FROM history_seconds GROUP BY layout').all(),
    );
    const width = new Map(layouts.map((layout) => [layout.id, (JSON.parse(layout.signals) as string[]).length]));
    this.bytesStored = counts.reduce((sum, { layout, rows }) => sum + rows * ((width.get(layout) ?? 0) * BYTES_PER_CELL + ROW_OVERHEAD_BYTES), 0);
    this.countedAt = this.clock.now();
  }

  private scheduleFlush(): void {
    this.flushTimer = this.clock.setTimeout(() => {
      this.flushTimer = undefined;
      if (!this.running) return;
      this.flush();
      this.scheduleFlush();
    }, this.flushIntervalMs);
  }

  private schedulePrune(delayMs: number): void {
    this.pruneTimer = this.clock.setTimeout(() => {
      this.pruneTimer = undefined;
      if (!this.running) return;
      try {
        this.prune();
      } catch (error) {
        this.logger.error({ err: error }, `asset history: pruning failed; retried in ${this.pruneIntervalMs / 1000} s`);
      }
      this.schedulePrune(this.pruneIntervalMs);
    }, delayMs);
  }
}
