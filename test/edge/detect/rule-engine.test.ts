import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../gateway/sample.js';
import type { ConditionReport } from '../../../edge/alerts/condition-report.js';
import type { AssetConfig } from '../../../edge/config/config-schema.js';
import { RuleEngine } from '../../../edge/detect/rules/rule-engine.js';

const PUMP: AssetConfig = {
  kind: 'centrifugal-pump',
  running: { signal: 'state', equals: 2 },
  signals: {
    state: { unit: '' },
    flow: { unit: 'm³/h', limits: { lowLow: 30, low: 60 }, deadband: 5 },
    vibration_de: { unit: 'mm/s', limits: { high: 4.5, highHigh: 7.1 }, deadband: 0.2, stuckAfterSeconds: 30 },
    bearing_temp_de: { unit: '°C', maxRatePerSecond: 5, stuckAfterSeconds: 30 },
  },
};

function harness(assets: Record<string, AssetConfig> = { 'pump-01': PUMP }) {
  let now = 0;
  const reports: ConditionReport[] = [];
  // Each condition's first evaluation is always reported; the normal ones go here, so the tests below read changes.
  const firstNormal: string[] = [];
  const evaluated = new Set<string>();
  const engine = new RuleEngine(
    assets,
    (batch) => {
      for (const report of batch) {
        const first = !evaluated.has(report.conditionId);
        evaluated.add(report.conditionId);
        if (first && !report.active) firstNormal.push(report.conditionId);
        else reports.push(report);
      }
    },
    { silentAfterSeconds: 15, now: () => now },
  );
  let ts = 1_700_000_000_000;
  const feed = (values: Record<string, number | null>, asset = 'pump-01') => {
    ts += 1000;
    now += 1000;
    const batch: Sample[] = Object.entries(values).map(([signal, value]) => ({
      asset,
      signal,
      value: value ?? Number.NaN,
      ts,
      quality: value === null ? 'bad' : 'good',
      source: 'plc',
    }));
    engine.onBatch(batch);
  };
  const advance = (ms: number) => {
    now += ms;
    engine.check();
  };
  const take = () => reports.splice(0).map((r) => `${r.conditionId} ${r.active ? 'on' : 'off'} ${r.priority}`);
  return { feed, advance, take, reports, firstNormal };
}

describe('rule layer', () => {
  it('reports every condition once on its first evaluation, normal ones too, so an alert restored after a restart clears', () => {
    const { feed, take, firstNormal } = harness();
    feed({ state: 2, flow: 80, vibration_de: 3, bearing_temp_de: 60 });
    expect(take()).toEqual([]);
    expect(firstNormal).toEqual(expect.arrayContaining(['pump-01/limit/flow.low', 'pump-01/limit/flow.lowLow', 'pump-01/limit/vibration_de.high', 'pump-01/limit/vibration_de.highHigh', 'pump-01/quality/flow']));
    feed({ state: 2, flow: 81, vibration_de: 3.1, bearing_temp_de: 60.5 }); // a rate needs two readings
    expect(firstNormal).toContain('pump-01/rate/bearing_temp_de');
    const count = firstNormal.length;
    feed({ state: 2, flow: 82, vibration_de: 3.2, bearing_temp_de: 61 });
    expect(firstNormal).toHaveLength(count);
    expect(take()).toEqual([]);
  });

  it('trips each limit as its own condition and clears it only past the deadband', () => {
    const { feed, take, reports } = harness();
    feed({ state: 2, vibration_de: 3 });
    expect(take()).toEqual([]);
    feed({ vibration_de: 5 });
    expect(reports[0]?.message).toBe('vibration_de 5 mm/s above its high limit 4.5 mm/s');
    expect(take()).toEqual(['pump-01/limit/vibration_de.high on medium']);
    feed({ vibration_de: 7.5 });
    expect(take()).toEqual(['pump-01/limit/vibration_de.highHigh on high']);
    feed({ vibration_de: 7.0 });
    expect(take()).toEqual([]); // inside the deadband of 7.1
    feed({ vibration_de: 6.8 });
    expect(take()).toEqual(['pump-01/limit/vibration_de.highHigh off high']);
    feed({ vibration_de: 4.4 });
    feed({ vibration_de: 4.4 });
    expect(take()).toEqual([]);
    feed({ vibration_de: 4.2 });
    expect(take()).toEqual(['pump-01/limit/vibration_de.high off medium']);
  });

  it('holds low limits only while the machine runs', () => {
    const { feed, take } = harness();
    feed({ state: 2, flow: 120 });
    feed({ flow: 50 });
    expect(take()).toEqual(['pump-01/limit/flow.low on medium']);
    feed({ state: 0, flow: 0 });
    expect(take()).toEqual(['pump-01/limit/flow.low off medium']);
    feed({ flow: 0 });
    expect(take()).toEqual([]);
  });

  it('flags a change faster than the process can move, and starts over after bad data', () => {
    const { feed, take } = harness();
    feed({ state: 2, bearing_temp_de: 55 });
    feed({ bearing_temp_de: 56 });
    expect(take()).toEqual([]);
    feed({ bearing_temp_de: 90 });
    expect(take()).toEqual(['pump-01/rate/bearing_temp_de on low']);
    feed({ bearing_temp_de: 91 });
    expect(take()).toEqual(['pump-01/rate/bearing_temp_de off low']);
    feed({ bearing_temp_de: null, vibration_de: 2 });
    feed({ bearing_temp_de: 40, vibration_de: 2.1 });
    expect(take().filter((r) => r.includes('/rate/'))).toEqual([]);
  });

  it('calls a value frozen while the machine moves stuck, but not a stopped machine or a zero', () => {
    const { feed, advance, take } = harness();
    feed({ state: 2, vibration_de: 2, bearing_temp_de: 55 });
    for (let i = 0; i < 40; i++) feed({ vibration_de: 2 + (i % 3) * 0.01, bearing_temp_de: 55.4 });
    advance(0);
    const stuck = take();
    expect(stuck).toEqual(['pump-01/stuck/bearing_temp_de on medium']);
    feed({ bearing_temp_de: 55.5 });
    expect(take()).toEqual(['pump-01/stuck/bearing_temp_de off medium']);

    const stopped = harness();
    stopped.feed({ state: 0, vibration_de: 0, bearing_temp_de: 40 });
    for (let i = 0; i < 40; i++) stopped.feed({ vibration_de: 0, bearing_temp_de: 40 - i * 0.1 });
    stopped.advance(0);
    expect(stopped.take()).toEqual([]);
  });

  it('tells one failed sensor from lost communication with the whole device', () => {
    const { feed, advance, take, reports } = harness();
    feed({ state: 2, flow: 120, vibration_de: 2 });
    feed({ state: 2, flow: 120, vibration_de: null });
    expect(reports[0]?.message).toBe('vibration_de reports bad quality while the rest of pump-01 is fine: sensor failure?');
    expect(take()).toEqual(['pump-01/quality/vibration_de on medium']);
    feed({ state: null, flow: null, vibration_de: null });
    expect(take()).toEqual(['pump-01/quality/communication on high', 'pump-01/quality/vibration_de off medium']);
    feed({ state: 2, flow: 121, vibration_de: 2 });
    expect(take()).toEqual(['pump-01/quality/communication off high']);
    advance(16_000);
    expect(take()).toEqual(['pump-01/quality/communication on high']);
    advance(10_000);
    expect(take()).toEqual([]);
    feed({ state: 2, flow: 120 });
    expect(take()).toEqual(['pump-01/quality/communication off high']);
  });

  it('raises an urgent trip from the PLC fault code, naming its meaning, until the reset', () => {
    const { feed, take, reports } = harness({
      'pump-01': { ...PUMP, trip: { signal: 'fault_code', codes: { '103': 'high vibration' } }, signals: { ...PUMP.signals, fault_code: { unit: '' } } },
    });
    feed({ state: 2, fault_code: 0 });
    expect(take()).toEqual([]);
    feed({ state: 4, fault_code: 103 });
    expect(reports[0]?.message).toBe('pump-01 tripped: PLC fault code 103 (high vibration)');
    expect(take()).toEqual(['pump-01/trip on urgent']);
    feed({ fault_code: 104 });
    expect(take()).toEqual([]);
    feed({ state: 0, fault_code: 0 });
    expect(take()).toEqual(['pump-01/trip off urgent']);
  });

  it('ignores samples of unconfigured assets and signals', () => {
    const { feed, take } = harness();
    feed({ unknown_signal: 1e9 });
    feed({ flow: 1 }, 'pump-99');
    expect(take()).toEqual([]);
  });
});
