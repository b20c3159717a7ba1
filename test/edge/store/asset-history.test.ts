import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Quality, Sample } from '../../../gateway/sample.js';
import { AssetHistory, assetHistorySchema } from '../../../edge/store/asset-history.js';
import { openBoxDatabase, type BoxDatabase } from '../../../edge/store/box-database.js';
import { tempFolder } from '../../support/temp-folder.js';
import { ManualClock } from './fixtures/manual-clock.js';
import { makeReadOnly } from './fixtures/storage-faults.js';

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);

function sample(signal: string, value: number, ts: number, quality: Quality = 'good', asset = 'pump-01'): Sample {
  return { asset, signal, value, ts, quality, source: 'test' };
}

/** `seconds` seconds of readings every 250 ms: flow = the second's index + the quarter, temp steady. */
function readings(seconds: number, from = T0): Sample[] {
  const out: Sample[] = [];
  for (let s = 0; s < seconds; s++) {
    for (let q = 0; q < 4; q++) out.push(sample('flow', s + q / 4, from + s * 1000 + q * 250), sample('temp', 50, from + s * 1000 + q * 250));
  }
  return out;
}

describe('AssetHistory', () => {
  let dataDir: ReturnType<typeof tempFolder>;
  let clock: ManualClock;
  let database: BoxDatabase;

  const open = () => openBoxDatabase({ dataDir: dataDir.path, schemas: [assetHistorySchema], clock });

  beforeEach(() => {
    dataDir = tempFolder('history');
    clock = new ManualClock(T0);
    database = open();
  });
  afterEach(() => {
    database.close();
    dataDir.remove();
  });

  it('keeps the last reading of each signal per second, with its quality, and writes closed seconds in one transaction', () => {
    const history = new AssetHistory(database, { clock });
    history.add(readings(10));
    history.add([sample('flow', Number.NaN, T0 + 10_500, 'bad'), sample('temp', 51, T0 + 10_500, 'uncertain')]);
    const writesBefore = database.health().writes;
    history.flush();
    // Seconds 0..8 are closed (the newest reading is in second 10; 2 s of grace); 9 and 10 stay open.
    expect(database.health().writes).toBe(writesBefore + 1);
    expect(history.stats()).toMatchObject({ secondsWritten: 9, openSeconds: 2, lateSamples: 0 });

    const range = history.read('pump-01', T0, T0 + 20_000);
    expect(range.signals).toEqual(['flow', 'temp']);
    expect(range.rows.map((row) => row.ts)).toEqual(Array.from({ length: 11 }, (_, s) => T0 + s * 1000));
    expect(Array.from(range.rows[3]!.values)).toEqual([3.75, 50]);
    expect(range.rows[10]!.qualities).toEqual(['bad', 'uncertain']);
    expect(Number.isNaN(range.rows[10]!.values[0])).toBe(true);

    // A reading for a second already written is late: counted and dropped.
    history.add([sample('flow', 99, T0 + 2000)]);
    expect(history.stats().lateSamples).toBe(1);
    expect(history.read('pump-01', T0 + 2000, T0 + 2000).rows[0]!.values[0]).toBe(2.75);
  });

  it('reads back what a new process opens from the file, by asset and time range, as samples and statistics', () => {
    const history = new AssetHistory(database, { clock });
    history.add(readings(60));
    history.add(readings(5).map((s) => ({ ...s, asset: 'pump-02' })));
    history.describeAssets({ 'pump-01': { kind: 'centrifugal-pump', running: { signal: 'state', equals: 2 } } });
    history.stop();
    database.close();

    database = open();
    const reopened = new AssetHistory(database, { clock });
    expect(reopened.assets()).toEqual(['pump-01', 'pump-02']);
    expect(reopened.assetDescription('pump-01')).toEqual({ kind: 'centrifugal-pump', running: { signal: 'state', equals: 2 } });
    expect(reopened.span('pump-01')).toEqual({ from: T0, to: T0 + 59_000, seconds: 60 });
    expect(reopened.span('pump-03')).toBeNull();
    const samples = reopened.samples('pump-01', T0 + 10_000, T0 + 19_999);
    expect(samples).toHaveLength(20);
    expect(samples[0]).toEqual({ asset: 'pump-01', signal: 'flow', value: 10.75, ts: T0 + 10_000, quality: 'good', source: 'history' });
    const flow = reopened.statistics('pump-01', 'flow', T0, T0 + 59_000);
    expect(flow).toMatchObject({ seconds: 60, good: 60, min: 0.75, max: 59.75, first: { ts: T0, value: 0.75 }, last: { ts: T0 + 59_000, value: 59.75 } });
    expect(flow.mean).toBeCloseTo(30.25, 6);
    expect(flow.std).toBeCloseTo(Math.sqrt((60 * 60 - 1) / 12), 6);
    expect(reopened.statistics('pump-01', 'nothing', T0, T0 + 59_000)).toMatchObject({ seconds: 0, good: 0, mean: null });
  });

  it('finds the last reading of a signal sent only on change, before a range', () => {
    const history = new AssetHistory(database, { clock });
    history.add([sample('state', 2, T0), ...readings(30, T0 + 1000)]);
    history.add([sample('state', 0, T0 + 20_000)]);
    history.flush(true);
    expect(history.lastReading('pump-01', 'state', T0 + 15_000)).toEqual({ ts: T0, value: 2 });
    expect(history.lastReading('pump-01', 'state', T0 + 25_000)).toEqual({ ts: T0 + 20_000, value: 0 });
    expect(history.lastReading('pump-01', 'state', T0)).toBeNull();
  });

  it('deletes what is past the retention and keeps the size under its bound, oldest first', () => {
    const history = new AssetHistory(database, { clock, retentionMs: 3600_000, maxBytes: 10 * 1024 * 1024 });
    // Three hours of one reading a minute, stored as they happen.
    for (let minute = 0; minute < 180; minute++) history.add([sample('flow', minute, T0 + minute * 60_000)]);
    history.flush(true);
    clock.jump(180 * 60_000);
    history.prune();
    const left = history.read('pump-01', T0, T0 + 200 * 60_000).rows;
    expect(left[0]!.ts).toBeGreaterThanOrEqual(clock.now() - 3600_000);
    expect(left).toHaveLength(60);

    const small = new AssetHistory(database, { clock, retentionMs: 30 * 86_400_000, maxBytes: 20_000 });
    for (let s = 0; s < 4 * 3600; s += 10) small.add([sample('x', s, clock.now() + s * 1000, 'good', 'meter-01')]);
    small.flush(true);
    small.prune();
    // 1,440 rows of ~25 bytes: the oldest hours go until it fits in 20 kB.
    expect(small.stats().bytesStored).toBeLessThanOrEqual(20_000);
    const kept = small.read('meter-01', 0, Number.MAX_SAFE_INTEGER).rows;
    expect(kept.length).toBeGreaterThan(0);
    expect(kept[kept.length - 1]!.ts).toBe(clock.now() + (4 * 3600 - 10) * 1000);
  });

  it('keeps taking samples when the disk refuses writes: rows wait in memory, readers see them, health says so', () => {
    const history = new AssetHistory(database, { clock });
    const undo = makeReadOnly(database);
    history.add(readings(10));
    history.flush();
    expect(database.health()).toMatchObject({ status: 'failing', pendingRows: 8 });
    expect(history.read('pump-01', T0, T0 + 10_000).rows).toHaveLength(10);
    undo();
    history.flush();
    expect(database.health()).toMatchObject({ status: 'ok', pendingRows: 0 });
    expect(history.stats().secondsWritten).toBe(8);
  });

  it('refuses a database opened without its tables, saying which schema to pass', () => {
    const other = openBoxDatabase({ dataDir: dataDir.path, fileName: 'other.db', schemas: [], clock });
    expect(() => new AssetHistory(other)).toThrow(/pass assetHistorySchema to openBoxDatabase/);
    other.close();
  });
});
