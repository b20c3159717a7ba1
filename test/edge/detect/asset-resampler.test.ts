import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../gateway/sample.js';
import { AssetResampler, type GridRow } from '../../../edge/detect/asset-resampler.js';

function sample(signal: string, ts: number, value: number, quality: Sample['quality'] = 'good'): Sample {
  return { asset: 'pump-01', signal, value, ts, quality, source: 'plc' };
}

function rowsOf(resampler: AssetResampler): GridRow[] {
  const rows: GridRow[] = [];
  resampler.drain((row) => rows.push(row));
  return rows;
}

describe('AssetResampler', () => {
  const spec = { signals: ['flow', 'speed'], periodMs: 1000, maxHoldMs: 2500, latenessMs: 0 };

  it('puts readings on the model grid by event time, holding the latest value', () => {
    const resampler = new AssetResampler(spec);
    resampler.push(sample('flow', 1000, 120));
    resampler.push(sample('speed', 1000, 2970));
    expect(rowsOf(resampler).map((r) => [r.ts, [...r.values], [...r.valid]])).toEqual([[1000, [120, 2970], [1, 1]]]);
    resampler.push(sample('flow', 3000, 125));
    const rows = rowsOf(resampler);
    expect(rows.map((r) => r.ts)).toEqual([2000, 3000]);
    expect([...rows[1]!.values]).toEqual([125, 2970]);
    expect([...rows[1]!.valid]).toEqual([1, 1]);
  });

  it('marks an input missing once its hold has run out or it reported bad quality, never zero', () => {
    const resampler = new AssetResampler(spec);
    resampler.push(sample('flow', 1000, 120));
    resampler.push(sample('speed', 1000, 2970));
    rowsOf(resampler);
    resampler.push(sample('flow', 5000, 121));
    const rows = rowsOf(resampler);
    expect(rows.map((r) => [r.ts, r.valid[1]])).toEqual([[2000, 1], [3000, 1], [4000, 0], [5000, 0]]);
    expect(rows[3]!.values[1]).toBe(2970);
    resampler.push(sample('speed', 6000, Number.NaN, 'bad'));
    resampler.push(sample('flow', 6000, 122));
    expect([...rowsOf(resampler)[0]!.valid]).toEqual([1, 0]);
  });

  it('waits latenessMs for slower inputs and counts readings that come too late', () => {
    const resampler = new AssetResampler({ ...spec, latenessMs: 300 });
    resampler.push(sample('flow', 1000, 120));
    resampler.push(sample('flow', 1200, 121));
    expect(rowsOf(resampler)).toEqual([]);
    resampler.push(sample('speed', 1250, 2970));
    resampler.push(sample('flow', 1300, 122));
    const [row] = rowsOf(resampler);
    expect(row!.ts).toBe(1000);
    expect([...row!.values]).toEqual([122, 2970]);
    resampler.push(sample('speed', -5000, 1));
    expect(resampler.lateReadings).toBe(1);
  });

  it('ignores signals that are not inputs', () => {
    const resampler = new AssetResampler(spec);
    expect(resampler.push(sample('vibration_de', 1000, 2))).toBe(false);
    expect(rowsOf(resampler)).toEqual([]);
  });
});
