import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelAlertDetails } from '../../../edge/detect/live/finding-alerts.js';
import type { ModelStatus } from '../../../edge/detect/live/live-detection.js';
import { tempFolder } from '../../support/temp-folder.js';
import { normalRows } from './detect-fixtures.js';
import { pumpConfig, pumpSecond, startDetection, writeBadCard, writeModel, type DetectionHarness } from './live-fixtures.js';

/** Resolves on the next models change of the harness's detection, or rejects after `timeoutMs`. */
function nextModelsChange(harness: DetectionHarness, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no models change within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = harness.detection.onModelsChanged(() => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

function feedNormal(harness: DetectionHarness, asset: string, from: number, count: number, seed = 3, change?: (second: number, values: Float64Array) => void): void {
  normalRows(count, seed).forEach((values, i) => {
    change?.(from + i, values);
    harness.push(pumpSecond(asset, from + i, values));
  });
}

function entry(models: readonly ModelStatus[], id: string, asset: string | null): ModelStatus | undefined {
  return models.find((model) => model.id === id && model.asset === asset);
}

describe('live detection: models on the box', () => {
  let shipped: ReturnType<typeof tempFolder>;
  let box: ReturnType<typeof tempFolder>;
  const running: DetectionHarness[] = [];
  const start = async (...args: Parameters<typeof startDetection>) => {
    const harness = await startDetection(...args);
    running.push(harness);
    return harness;
  };

  beforeEach(() => {
    shipped = tempFolder('shipped-models');
    box = tempFolder('box-models');
  });
  afterEach(async () => {
    for (const harness of running.splice(0)) await harness.detection.stop();
    shipped.remove();
    box.remove();
  });

  it('loads every model of the folders, reports a bad card and a model that does not fit its card, and runs on with the good ones', async () => {
    await writeModel(shipped.path, { id: 'test-pump' });
    await writeBadCard(box.path, 'broken');
    await writeModel(box.path, { id: 'three-inputs', assetKind: 'test-fan' });
    await writeModel(box.path, { id: 'two-inputs', assetKind: 'test-blower', inputs: ['flow', 'pressure'] });
    await copyFile(path.join(box.path, 'two-inputs.onnx'), path.join(box.path, 'three-inputs.onnx'));

    const harness = await start({ 'pump-01': pumpConfig() }, { shipped: shipped.path, box: box.path });
    const models = harness.detection.models();
    expect(entry(models, 'test-pump', 'pump-01')).toMatchObject({ state: 'active', kind: 'test-pump', origin: 'shipped', scoreSignal: 'pump-01/anomaly_score', inputs: [{ signal: 'flow' }, { signal: 'pressure' }, { signal: 'current' }] });
    const broken = entry(models, 'broken', null);
    expect(broken?.state).toBe('failed');
    expect(broken?.error).toContain(path.join(box.path, 'broken.json'));
    expect(broken?.error).toMatch(/grid\.periodMs: must be a number/);
    const mismatch = entry(models, 'three-inputs', null);
    expect(mismatch?.state).toBe('failed');
    expect(mismatch?.error).toContain(path.join(box.path, 'three-inputs.onnx'));
    expect(mismatch?.error).toMatch(/has 2 in dimension 1 .*the card lists 3 input\(s\) \(flow, pressure, current\)/);
    expect(entry(models, 'two-inputs', null)).toMatchObject({ state: 'unused', error: 'no asset has kind test-blower' });

    feedNormal(harness, 'pump-01', 0, 120);
    await harness.detection.idle();
    expect(entry(harness.detection.models(), 'test-pump', 'pump-01')?.rowsScored).toBeGreaterThan(50);
  });

  it('binds models by kind, prefers a model calibrated for the asset, and refuses one the asset cannot feed', async () => {
    await writeModel(shipped.path, { id: 'test-pump' });
    await writeModel(box.path, { id: 'pump-02-calibrated', asset: 'pump-02', seed: 5 });
    const noCurrent = pumpConfig();
    const { current: _current, ...signals } = noCurrent.signals;
    const assets = { 'pump-01': pumpConfig(), 'pump-02': pumpConfig(), 'pump-03': { ...noCurrent, signals }, 'fan-01': pumpConfig('test-fan') };

    const harness = await start(assets, { shipped: shipped.path, box: box.path });
    const models = harness.detection.models();
    expect(entry(models, 'test-pump', 'pump-01')?.state).toBe('active');
    expect(entry(models, 'pump-02-calibrated', 'pump-02')).toMatchObject({ state: 'active', origin: 'box' });
    expect(entry(models, 'test-pump', 'pump-02')).toBeUndefined();
    const refused = entry(models, 'test-pump', 'pump-03');
    expect(refused?.state).toBe('failed');
    expect(refused?.error).toMatch(/^model test-pump \(test-pump\.json\) needs "current", which asset pump-03 does not have \(its signals: flow, pressure, state\)/);
    expect(models.filter((model) => model.asset === 'fan-01')).toEqual([]);
    expect(harness.detection.scoreSignals().map((score) => score.asset)).toEqual(['pump-01', 'pump-02']);
  });

  it('turns an anomalous stretch into a model alert naming the deviating signal, and publishes the score', async () => {
    await writeModel(shipped.path, { id: 'test-pump' });
    const harness = await start({ 'pump-01': pumpConfig() }, { shipped: shipped.path, box: box.path });
    // Pushed as the bus would, a second at a time, so the details read the values of their time.
    const rows = normalRows(400, 3);
    for (const [second, values] of rows.entries()) {
      if (second >= 200 && second < 300) values[1] = (values[1] as number) + 1.5;
      harness.push(pumpSecond('pump-01', second, values));
      await harness.detection.idle();
    }

    // The first finding is reported whatever it says (a restored alert must clear on a normal one); then
    // reported on change, repeated with fresh details every 5 s while it holds: one stretch, raised then cleared.
    const [first, ...reports] = harness.reports;
    expect(first).toMatchObject({ conditionId: 'pump-01/model/test-pump', active: false });
    const changes = reports.filter((report, i) => i === 0 || report.active !== reports[i - 1]!.active);
    expect(changes.map((report) => report.active)).toEqual([true, false]);
    const [raised, cleared] = changes;
    expect(reports.slice(1, -1).every((report) => report.active && report.ts - reports[0]!.ts >= 0)).toBe(true);
    expect(raised).toMatchObject({ conditionId: 'pump-01/model/test-pump', asset: 'pump-01', kind: 'model', active: true, priority: 'medium' });
    expect(raised!.ts).toBeGreaterThanOrEqual(Date.UTC(2025, 0, 6, 8, 0, 0) + 200_000);
    expect(raised!.message).toMatch(/^pump-01 deviates from normal: pressure \(\d+ %\).*; score [\d.]+ × threshold$/);
    const details = raised!.details as ModelAlertDetails;
    expect(details).toMatchObject({ model: 'test-pump', mode: 'machine' });
    expect(details.score / details.threshold).toBeCloseTo(details.severity, 6);
    expect(details.contributions.map((c) => c.signal)).toHaveLength(3);
    expect(details.contributions[0]).toMatchObject({ signal: 'pressure', unit: '' });
    expect(details.contributions[0]!.contribution).toBeGreaterThan(0.5);
    expect(details.contributions.reduce((sum, c) => sum + c.contribution, 0)).toBeCloseTo(1, 3);
    expect(details.contributions[0]!.value).toBeGreaterThan(details.contributions[0]!.normalMean! + details.contributions[0]!.normalSd!);
    expect(cleared).toMatchObject({ conditionId: 'pump-01/model/test-pump', active: false });
    expect(cleared!.message).toMatch(/^pump-01 back to normal behaviour/);

    expect(harness.scores.length).toBeGreaterThan(300);
    expect(harness.scores[0]).toMatchObject({ asset: 'pump-01', signal: 'anomaly_score', quality: 'good', source: 'detection' });
    const status = entry(harness.detection.models(), 'test-pump', 'pump-01');
    expect(status?.anomalousFindings).toBeGreaterThan(50);
    expect(status?.anomalous).toBe(false);
  });

  it('picks up a model written into the data folder while running and attaches it in place of the kind model', async () => {
    await writeModel(shipped.path, { id: 'test-pump' });
    const harness = await start({ 'pump-01': pumpConfig() }, { shipped: shipped.path, box: box.path }, {}, true);
    feedNormal(harness, 'pump-01', 0, 60);
    const changed = nextModelsChange(harness);
    await writeModel(box.path, { id: 'pump-01-calibrated', asset: 'pump-01', seed: 4 });
    await changed;
    const models = harness.detection.models();
    expect(entry(models, 'pump-01-calibrated', 'pump-01')?.state).toBe('active');
    expect(entry(models, 'test-pump', null)).toMatchObject({ state: 'unused', error: 'every asset of kind test-pump (pump-01) uses another model' });
    feedNormal(harness, 'pump-01', 60, 60);
    await harness.detection.idle();
    expect(entry(harness.detection.models(), 'pump-01-calibrated', 'pump-01')?.rowsScored).toBeGreaterThan(0);
  });

  it('calibrates an asset of a configured kind at first start from its running rows, then scores it with its own model', async () => {
    const fan = pumpConfig('test-fan');
    const assets = { 'fan-01': { ...fan, signals: { ...fan.signals, flow: { unit: 'm³/h', normal: [80, 120] as [number, number] }, pressure: { unit: 'bar', normal: [3, 5] as [number, number] }, current: { unit: 'A', normal: [20, 40] as [number, number] } } } };
    await mkdir(box.path, { recursive: true });
    const harness = await start(assets, { shipped: null, box: box.path }, { calibrateOnFirstStart: { kinds: ['test-fan'], minutes: 10 } });
    expect(harness.detection.models()).toMatchObject([{ id: 'fan-01-calibrated', asset: 'fan-01', state: 'collecting', calibration: { progress: 0, rowsNeeded: 600, minutes: 10 } }]);

    // Half a minute stopped (not collected), then running: the first 50 rows after the start only settle.
    normalRows(30, 8).forEach((values, i) => harness.push(pumpSecond('fan-01', i, values, 0)));
    feedNormal(harness, 'fan-01', 30, 350, 8);
    expect(harness.detection.models()[0]?.calibration).toMatchObject({ rowsCollected: 300, progress: 50 });
    const changed = nextModelsChange(harness);
    feedNormal(harness, 'fan-01', 380, 310, 9);
    await changed;
    await harness.detection.idle();

    const [own] = harness.detection.models();
    expect(own).toMatchObject({ id: 'fan-01-calibrated', asset: 'fan-01', kind: 'test-fan', state: 'active', origin: 'box', rows: 600 });
    expect(own?.training?.data).toMatch(/^600 running rows \(10 min\) of fan-01's own data, collected at its first start/);
    expect(own?.files?.card).toBe(path.join(box.path, 'fan-01-calibrated.json'));
    feedNormal(harness, 'fan-01', 690, 30, 9);
    await harness.detection.idle();
    expect(harness.detection.models()[0]?.rowsScored).toBeGreaterThan(0);
  });
});
