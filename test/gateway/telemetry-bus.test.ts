import { describe, expect, it } from 'vitest';
import type { Sample } from '../../gateway/sample.js';
import { SignalHistory } from '../../gateway/signal-history.js';
import { TelemetryBus } from '../../gateway/telemetry-bus.js';

function sample(ts: number, value: number, overrides: Partial<Sample> = {}): Sample {
  return { asset: 'pump-01', signal: 'flow', value, ts, quality: 'good', source: 'plc', ...overrides };
}

describe('SignalHistory', () => {
  it('keeps the newest points in timestamp order once full', () => {
    const history = new SignalHistory(3);
    for (let ts = 1; ts <= 5; ts++) history.add(sample(ts, ts * 10));
    expect(history.range().map((p) => p.ts)).toEqual([3, 4, 5]);
    expect(history.newest()).toEqual({ ts: 5, value: 50, quality: 'good' });
  });

  it('puts a late sample in its place and drops one older than a full ring', () => {
    const history = new SignalHistory(4);
    history.add(sample(10, 1));
    history.add(sample(30, 3));
    history.add(sample(20, 2));
    expect(history.range().map((p) => p.ts)).toEqual([10, 20, 30]);
    history.add(sample(40, 4));
    expect(history.add(sample(5, 0))).toBe(false);
    expect(history.add(sample(15, 1.5))).toBe(true);
    expect(history.range().map((p) => p.ts)).toEqual([15, 20, 30, 40]);
  });

  it('refuses an exact repeat but keeps a new value at the same time', () => {
    const history = new SignalHistory(8);
    expect(history.add(sample(10, 1))).toBe(true);
    expect(history.add(sample(10, 1))).toBe(false);
    expect(history.add(sample(10, 2))).toBe(true);
    expect(history.size).toBe(2);
  });

  it('selects a time range inclusively and keeps quality', () => {
    const history = new SignalHistory(10);
    for (let ts = 0; ts < 10; ts++) history.add(sample(ts, ts, { quality: ts === 4 ? 'bad' : 'good' }));
    const points = history.range(3, 5);
    expect(points.map((p) => p.ts)).toEqual([3, 4, 5]);
    expect(points[1]?.quality).toBe('bad');
    expect(history.range(20, 30)).toEqual([]);
  });

  it('stores NaN for a bad sample without value', () => {
    const history = new SignalHistory(2);
    history.add(sample(1, Number.NaN, { quality: 'bad' }));
    expect(history.newest()?.value).toBeNaN();
    expect(history.add(sample(1, Number.NaN, { quality: 'bad' }))).toBe(false);
  });
});

describe('TelemetryBus', () => {
  it('delivers batches to every consumer and keeps the last value per signal', () => {
    const bus = new TelemetryBus({ historyPerSignal: 100 });
    const received: Sample[][] = [];
    bus.subscribe((batch) => received.push([...batch]));
    bus.publish([sample(1, 100), sample(1, 5, { signal: 'speed' })]);
    bus.publish([sample(2, 101)]);
    expect(received).toHaveLength(2);
    expect(bus.latest('pump-01', 'flow')).toMatchObject({ value: 101, ts: 2, source: 'plc' });
    expect(bus.latest('pump-01', 'speed')?.value).toBe(5);
    expect(bus.latest('pump-01', 'nothing')).toBeUndefined();
    expect(bus.history('pump-01', 'flow').map((p) => p.value)).toEqual([100, 101]);
    expect(bus.latestValues()).toHaveLength(2);
    expect(bus.stats().samplesPublished).toBe(3);
  });

  it('drops exact repeats before consumers and counts them', () => {
    const bus = new TelemetryBus({ historyPerSignal: 100 });
    const received: number[] = [];
    bus.subscribe((batch) => received.push(...batch.map((s) => s.value)));
    bus.publish([sample(1, 100), sample(2, 101)]);
    bus.publish([sample(2, 101), sample(3, 102)]);
    bus.publish([sample(3, 102)]);
    expect(received).toEqual([100, 101, 102]);
    expect(bus.stats().duplicates).toBe(2);
  });

  it('keeps delivering to other consumers when one throws', () => {
    const bus = new TelemetryBus({ historyPerSignal: 10 });
    let delivered = 0;
    bus.subscribe(() => {
      throw new Error('broken consumer');
    });
    const unsubscribe = bus.subscribe((batch) => (delivered += batch.length));
    bus.publish([sample(1, 1)]);
    bus.publish([sample(2, 2)]);
    expect(delivered).toBe(2);
    expect(bus.stats().consumerErrors).toBe(2);
    unsubscribe();
    bus.publish([sample(3, 3)]);
    expect(delivered).toBe(2);
  });
});
