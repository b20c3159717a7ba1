import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectionModel } from '../../../edge/detect/detection-model.js';
import { DetectionEngine } from '../../../edge/detect/detection-engine.js';
import type { Finding } from '../../../edge/detect/finding.js';
import { tempFolder } from '../../support/temp-folder.js';
import { engineWith, machineModel, normalRows, rowSamples } from './detect-fixtures.js';

const folder = tempFolder('machine-detection');
let model: DetectionModel;

beforeAll(async () => {
  model = await machineModel(folder.path, normalRows(800, 1));
});
afterAll(async () => {
  await model.release();
  folder.remove();
});

const second = (row: number) => 1_700_000_000_000 + row * 1000;

/** Pushes rows of normal operation (from another seed than the fit), `change` applied to some rows. */
function feed(engine: DetectionEngine, asset: string, rows: number, change: (row: number, values: Float64Array) => void = () => {}) {
  normalRows(rows, 2).forEach((values, row) => {
    change(row, values);
    engine.push(rowSamples(asset, second(row), values));
  });
}

function topContributor(finding: Finding): string {
  return Object.entries(finding.contributions).sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

describe('machine mode through the DetectionEngine', () => {
  it('stays quiet in normal operation and reports every row with its score, threshold and contributions', async () => {
    const { engine, findings } = engineWith(model, 'pump-01');
    feed(engine, 'pump-01', 600);
    await engine.idle();
    expect(findings).toHaveLength(600);
    expect(findings.filter((finding) => finding.anomalous).length).toBeLessThan(6);
    const [first] = findings;
    expect(first).toMatchObject({ asset: 'pump-01', model: 'test-machine', mode: 'machine', ts: second(0), threshold: model.card.threshold });
    for (const finding of findings.slice(0, 50)) {
      const sum = Object.values(finding.contributions).reduce((total, share) => total + share, 0);
      expect(sum).toBeCloseTo(finding.distance, 3);
      expect(finding.score).toBe(finding.distance);
    }
  });

  it('raises on a step in one signal, holds while the level stays changed, and names that signal', async () => {
    const { engine, findings } = engineWith(model, 'pump-02');
    const stepFrom = 300;
    const stepTo = 700;
    feed(engine, 'pump-02', 900, (row, values) => {
      if (row >= stepFrom && row < stepTo) values[1] = (values[1] as number) + 1.5;
    });
    await engine.idle();
    const during = findings.filter((finding) => finding.ts >= second(stepFrom + 30) && finding.ts < second(stepTo));
    const firstRaise = findings.find((finding) => finding.anomalous && finding.ts >= second(stepFrom));
    expect(firstRaise?.ts).toBeLessThan(second(stepFrom + 30));
    // The reference is frozen while anomalous, so the changed level is not learned as normal.
    expect(during.every((finding) => finding.anomalous)).toBe(true);
    expect(during.every((finding) => topContributor(finding) === 'pressure')).toBe(true);
    expect(findings.filter((finding) => finding.ts >= second(stepTo + 100)).some((finding) => finding.anomalous)).toBe(false);
  });

  it('takes the present level as normal after resetReference', async () => {
    const { engine, findings } = engineWith(model, 'pump-03');
    feed(engine, 'pump-03', 300, (row, values) => {
      if (row >= 100) values[0] = (values[0] as number) + 40;
    });
    await engine.idle();
    expect(findings.at(-1)?.anomalous).toBe(true);
    expect(engine.resetReference('pump-03')).toBe(1);
    normalRows(200, 4).forEach((values, row) => {
      values[0] = (values[0] as number) + 40;
      engine.push(rowSamples('pump-03', second(300 + row), values));
    });
    await engine.idle();
    const after = findings.filter((finding) => finding.ts >= second(300));
    expect(after.filter((finding) => finding.anomalous).length).toBeLessThan(after.length / 10);
    expect(engine.resetReference('no-such-asset')).toBe(0);
  });

  it('skips rows with a missing input, counted by reason and signal, never scoring them as zero', async () => {
    const { engine, findings } = engineWith(model, 'pump-04');
    normalRows(60, 2).forEach((values, row) => {
      const samples = rowSamples('pump-04', second(row), values);
      // pressure goes silent for rows 20..39 (beyond the 2.5 s hold), and reads bad at row 50.
      const kept = row >= 20 && row < 40 ? samples.filter((sample) => sample.signal !== 'pressure') : samples;
      engine.push(row === 50 ? kept.map((sample) => (sample.signal === 'pressure' ? { ...sample, value: Number.NaN, quality: 'bad' as const } : sample)) : kept);
    });
    await engine.idle();
    const [stats] = engine.stats().bindings;
    const scoredTimes = new Set(findings.map((finding) => finding.ts));
    expect(scoredTimes.has(second(19))).toBe(true);
    expect(scoredTimes.has(second(30))).toBe(false);
    expect(scoredTimes.has(second(50))).toBe(false);
    // Held for 2.5 s: rows 20 and 21 still use the reading of row 19; rows 22..39 and the bad row 50 are missing it.
    expect(scoredTimes.has(second(21))).toBe(true);
    expect(stats?.skipped['missing-input']).toBe(19);
    expect(stats?.missingBySignal).toEqual({ pressure: 19 });
    expect(findings).toHaveLength(41);
    expect(stats?.rowsScored).toBe(findings.length);
    expect(findings.every((finding) => Number.isFinite(finding.score))).toBe(true);
  });

  it('does not score a stopped machine, and restarts cleanly with a settle time after it starts again', async () => {
    const { engine, findings } = engineWith(model, 'pump-05', { running: { signal: 'current', above: 5 }, settleRows: 10 });
    const stopFrom = 200;
    const stopTo = 300;
    feed(engine, 'pump-05', 600, (row, values) => {
      // Stopped: no flow, no pressure, no current.
      if (row >= stopFrom && row < stopTo) values.fill(0);
    });
    await engine.idle();
    const [stats] = engine.stats().bindings;
    expect(stats?.skipped['not-running']).toBe(stopTo - stopFrom);
    expect(stats?.skipped.settling).toBe(10);
    expect(findings.some((finding) => finding.ts >= second(stopFrom) && finding.ts < second(stopTo + 10))).toBe(false);
    expect(findings.filter((finding) => finding.ts >= second(stopTo + 10)).filter((finding) => finding.anomalous).length).toBeLessThan(5);
  });

  it('takes a running predicate, and maps card inputs to the asset\'s own signal ids', async () => {
    const running = (asset: string, ts: number) => asset === 'pump-06' && ts < second(50);
    const { engine, findings } = engineWith(model, 'pump-06', { running, signals: { flow: 'flow_rate' } });
    normalRows(100, 2).forEach((values, row) => engine.push(rowSamples('pump-06', second(row), values, ['flow_rate', 'pressure', 'current'])));
    await engine.idle();
    expect(findings).toHaveLength(50);
    expect(Object.keys(findings[0]?.contributions ?? {})).toEqual(['flow_rate', 'pressure', 'current']);
    expect(engine.stats().bindings[0]?.skipped['not-running']).toBe(50);
    expect(() => engine.attach(model, 'pump-07', { signals: { speed: 'rpm' } })).toThrow(/model test-machine has no input speed; its inputs are flow, pressure, current/);
    expect(() => engine.attach(model, 'pump-06')).toThrow(/already attached to asset pump-06/);
  });

  it('scores the assets sharing a model together: one ONNX run per batch, not per asset', async () => {
    const findings: Finding[] = [];
    const engine = new DetectionEngine({ onFinding: (finding) => findings.push(finding) });
    const assets = Array.from({ length: 25 }, (_, i) => `pump-${10 + i}`);
    for (const asset of assets) engine.attach(model, asset);
    const rows = normalRows(40, 6);
    rows.forEach((values, row) => {
      for (const asset of assets) engine.push(rowSamples(asset, second(row), values));
    });
    await engine.idle();
    expect(findings).toHaveLength(25 * 40);
    // Machine mode takes one row per asset per run (a row's reference depends on the previous verdict).
    expect(engine.stats().runs).toBe(40);
    for (const asset of assets) expect(findings.filter((finding) => finding.asset === asset).map((finding) => finding.ts)).toEqual(rows.map((_, row) => second(row)));
    expect(engine.detach('pump-10', 'test-machine')).toBe(true);
    expect(engine.detach('pump-10', 'test-machine')).toBe(false);
  });

  it('keeps going when a finding listener throws', async () => {
    let calls = 0;
    const engine = new DetectionEngine({
      onFinding: () => {
        calls++;
        throw new Error('listener broke');
      },
    });
    engine.attach(model, 'pump-40');
    feed(engine, 'pump-40', 5);
    await engine.idle();
    expect(calls).toBe(5);
  });
});
