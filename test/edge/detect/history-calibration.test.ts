import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotEnoughDataError, writeModelAtomically } from '../../../edge/detect/calibration/asset-calibration.js';
import { planCalibration } from '../../../edge/detect/calibration/calibration-plan.js';
import { calibrateFromHistory } from '../../../edge/detect/calibration/history-calibration.js';
import { readModelCard } from '../../../edge/detect/detection-model.js';
import { AssetHistory, assetHistorySchema } from '../../../edge/store/asset-history.js';
import { openBoxDatabase, type BoxDatabase } from '../../../edge/store/box-database.js';
import { tempFolder } from '../../support/temp-folder.js';
import { normalRows } from './detect-fixtures.js';
import { pumpConfig, pumpSecond, startDetection, T0, writeModel } from './live-fixtures.js';

describe('calibration from the stored history', () => {
  let data: ReturnType<typeof tempFolder>;
  let database: BoxDatabase;
  let history: AssetHistory;

  /** Stores `count` seconds of pump-01 from `from`: stopped (state 0) for the first `stopped` of them. */
  const store = (from: number, count: number, stopped = 0) => {
    normalRows(count, 11).forEach((values, i) => history.add(pumpSecond('pump-01', from + i, values, i < stopped ? 0 : 2)));
    history.flush(true);
  };
  const target = { asset: 'pump-01', kind: 'test-pump', running: { signal: 'state', equals: 2 }, signals: pumpConfig().signals };

  beforeEach(async () => {
    data = tempFolder('history-calibration');
    database = openBoxDatabase({ dataDir: data.path, schemas: [assetHistorySchema] });
    history = new AssetHistory(database);
    await writeModel(path.join(data.path, 'shipped'), { id: 'test-pump' });
  });
  afterEach(() => {
    database.close();
    data.remove();
  });

  it('says how much usable data there is and how much is needed when the stretch is too short', async () => {
    history.add([{ asset: 'pump-01', signal: 'state', value: 0, ts: T0 - 60_000, quality: 'good', source: 'test' }]);
    store(0, 200, 150);
    const template = await readModelCard(path.join(data.path, 'shipped', 'test-pump.json'));
    const plan = planCalibration(target, [template]);
    expect(plan).toMatchObject({ modelId: 'pump-01-calibrated', template: 'test-pump', minimumRows: 600, inputs: [{ signal: 'flow', unit: 'm³/h' }, { signal: 'pressure', unit: 'bar' }, { signal: 'current', unit: 'A' }] });
    let error: unknown;
    try {
      calibrateFromHistory({ history, plan, from: T0, to: T0 + 199_000 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NotEnoughDataError);
    expect((error as Error).message).toMatch(
      /^not enough data to calibrate pump-01 from its history between 2025-01-06T08:00:00\.000Z and 2025-01-06T08:03:19\.000Z: 0 usable row\(s\) \(0 s of running operation with every input good: flow, pressure, current\); at least 600 are needed \(10 min\), 30 minutes or more recommended\. Of 200 row\(s\) formed, left out: 150 while it was not running, 50 settling after a start/,
    );
  });

  it('fits on the running rows of the range, writes the model, and a running box attaches it', async () => {
    // The run state is sent only when it changes: it was set to running an hour before the range.
    history.add([{ asset: 'pump-01', signal: 'state', value: 2, ts: T0 - 3600_000, quality: 'good', source: 'test' }]);
    store(0, 700);
    const template = await readModelCard(path.join(data.path, 'shipped', 'test-pump.json'));
    const plan = planCalibration(target, [template]);
    const progress: number[] = [];
    const artifacts = calibrateFromHistory({ history, plan, from: T0, to: T0 + 699_000, onProgress: (done, total) => progress.push(done / total) });
    expect(progress.at(-1)).toBe(1);
    expect(artifacts.card).toMatchObject({ id: 'pump-01-calibrated', asset: 'pump-01', assetKind: 'test-pump', training: { rows: 700, from: '2025-01-06T08:00:00.000Z', to: '2025-01-06T08:11:39.000Z' } });
    expect(artifacts.card.training.data).toMatch(/^700 running rows \(11\.7 min\) of pump-01's stored history between/);

    const harness = await startDetection({ 'pump-01': pumpConfig() }, { shipped: path.join(data.path, 'shipped'), box: path.join(data.path, 'models') }, {}, true);
    try {
      expect(harness.detection.models()[0]).toMatchObject({ id: 'test-pump', asset: 'pump-01', state: 'active' });
      const attached = new Promise<void>((resolve) => {
        const unsubscribe = harness.detection.onModelsChanged(() => {
          if (harness.detection.models()[0]?.id !== 'pump-01-calibrated') return;
          unsubscribe();
          resolve();
        });
      });
      await writeModelAtomically(path.join(data.path, 'models'), artifacts);
      await attached;
      expect(harness.detection.models()[0]).toMatchObject({ id: 'pump-01-calibrated', asset: 'pump-01', state: 'active', origin: 'box', rows: 700 });
    } finally {
      await harness.detection.stop();
    }
  });
});
