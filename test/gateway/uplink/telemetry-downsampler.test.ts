import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../gateway/sample.js';
import { TelemetryDownsampler } from '../../../gateway/uplink/telemetry-downsampler.js';
import { compileSignalPattern } from '../../../gateway/uplink/signal-pattern.js';

const T0 = 1_700_000_000_000;
const sample = (signal: string, value: number, ts: number, quality: Sample['quality'] = 'good', asset = 'pump-01'): Sample => ({ asset, signal, value, ts, quality, source: 's' });

function downsampler(signals: { match: string; rule: { kind: 'every'; every: number } | { kind: 'period'; periodMs: number } }[]) {
  return new TelemetryDownsampler({
    publish: true,
    downsample: { kind: 'every', every: 1 },
    signals: signals.map((entry) => ({ pattern: compileSignalPattern(entry.match), rule: entry.rule })),
    maxSamplesPerMessage: 200,
    batchIntervalMs: 0,
  });
}

describe('TelemetryDownsampler', () => {
  it('passes everything by default, grouped by asset in arrival order', () => {
    const points = downsampler([]).add([sample('a', 1, T0), sample('b', 2, T0, 'good', 'fan-01'), sample('c', 3, T0)], T0);
    expect([...points.keys()]).toEqual(['pump-01', 'fan-01']);
    expect(points.get('pump-01')!.map((p) => p.signal)).toEqual(['a', 'c']);
  });

  it('counts every Nth per signal, each signal on its own', () => {
    const thinned = downsampler([{ match: '*/*', rule: { kind: 'every', every: 2 } }]);
    const points = thinned.add([1, 2, 3, 4, 5].flatMap((v) => [sample('a', v, T0 + v), sample('b', v * 10, T0 + v)]), T0);
    expect(points.get('pump-01')!.map((p) => p.value)).toEqual([1, 10, 3, 30, 5, 50]);
    expect(thinned.skipped).toBe(4);
  });

  it('closes a quiet signal\'s window one period after it opened, and keeps a window without finite values as NaN', () => {
    const windows = downsampler([{ match: 'pump-01/*', rule: { kind: 'period', periodMs: 1000 } }]);
    expect(windows.hasPeriods).toBe(true);
    expect(windows.add([sample('a', Number.NaN, T0 + 10, 'bad'), sample('b', 4, T0 + 20)], 5000).size).toBe(0);
    expect(windows.closeDue(5999).size).toBe(0);
    const closed = windows.closeDue(6000).get('pump-01')!;
    expect(closed.find((p) => p.signal === 'a')).toMatchObject({ value: Number.NaN, quality: 'bad', window: { min: null, max: null, mean: null, count: 1 } });
    expect(closed.find((p) => p.signal === 'b')).toMatchObject({ value: 4, quality: 'good', window: { from: T0, to: T0 + 1000, min: 4, max: 4, mean: 4, count: 1 } });
    expect(windows.closeAll().size).toBe(0);
  });

  it('folds a late sample into the open window, takes the worst quality, and closes everything at shutdown', () => {
    const windows = downsampler([{ match: '*/a', rule: { kind: 'period', periodMs: 1000 } }]);
    windows.add([sample('a', 1, T0 + 1500), sample('a', 7, T0 + 200, 'uncertain'), sample('a', 3, T0 + 1600)], 0);
    const [point] = windows.closeAll().get('pump-01')!;
    expect(point).toMatchObject({ ts: T0 + 1600, value: 3, quality: 'uncertain', window: { from: T0 + 1000, to: T0 + 2000, min: 1, max: 7, count: 3 } });
    expect(point!.window!.mean).toBeCloseTo(11 / 3);
  });
});
