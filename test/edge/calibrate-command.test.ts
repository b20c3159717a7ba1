import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCalibrate } from '../../edge/cli/calibrate-command.js';
import { parseTimeArgument } from '../../edge/cli/time-argument.js';
import { loadDetectionModel } from '../../edge/detect/detection-model.js';
import { PACKAGE_ROOT } from '../../edge/package-paths.js';
import { AssetHistory, assetHistorySchema } from '../../edge/store/asset-history.js';
import { openBoxDatabase } from '../../edge/store/box-database.js';
import { normalRows, SIGNALS } from './detect/detect-fixtures.js';
import { writeModel } from './detect/live-fixtures.js';
import { tempFolder } from '../support/temp-folder.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

describe('times on the command line', () => {
  it('takes ISO 8601, now, and times relative to now', () => {
    expect(parseTimeArgument('2025-01-06T08:00:00Z', NOW, '--from')).toBe(Date.UTC(2025, 0, 6, 8));
    expect(parseTimeArgument('2025-01-06T08:00+01:00', NOW, '--from')).toBe(Date.UTC(2025, 0, 6, 7));
    expect(parseTimeArgument('now', NOW, '--to')).toBe(NOW);
    expect(parseTimeArgument('-2h', NOW, '--from')).toBe(NOW - 2 * 3600_000);
    expect(parseTimeArgument('-1h30m', NOW, '--from')).toBe(NOW - 90 * 60_000);
    expect(parseTimeArgument('-1d12h', NOW, '--from')).toBe(NOW - 36 * 3600_000);
    expect(() => parseTimeArgument('yesterday', NOW, '--from')).toThrow(/--from "yesterday" is not a time: give ISO 8601 .*-2h, -30m, -1d/);
    expect(() => parseTimeArgument('-2 weeks', NOW, '--from')).toThrow(/--from "-2 weeks": after "-" give a duration such as/);
  });
});

/** What a command wrote, as a non-terminal stream. */
function output(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('millwright calibrate', () => {
  const data = tempFolder('calibrate');
  const runningFrom = Date.now() - 3 * 3600_000;

  beforeAll(async () => {
    // Three hours of pump-01 ending now: stopped for the first hour and a half, then running.
    const database = openBoxDatabase({ dataDir: data.path, schemas: [assetHistorySchema] });
    const history = new AssetHistory(database);
    history.describeAssets({ 'pump-01': { kind: 'test-pump', running: { signal: 'state', equals: 2 } } });
    const rows = normalRows(3 * 3600, 21);
    rows.forEach((values, i) => {
      const ts = runningFrom + i * 1000;
      history.add(SIGNALS.map((signal, s) => ({ asset: 'pump-01', signal, value: values[s] as number, ts, quality: 'good' as const, source: 'test' })));
      if (i === 0 || i === 5400) history.add([{ asset: 'pump-01', signal: 'state', value: i === 0 ? 0 : 2, ts, quality: 'good', source: 'test' }]);
    });
    history.stop();
    database.close();
    // The model of its kind, whose inputs and settings a calibration follows.
    await writeModel(path.join(data.path, 'models'), { id: 'test-pump' });
    await writeFile(
      path.join(data.path, 'plant.yaml'),
      [
        'dataDir: .',
        'sources: [{ id: plc, kind: opcua, endpoint: "opc.tcp://127.0.0.1:4840", nodes: [{ nodeId: "ns=1;s=x", asset: pump-01, signal: flow }] }]',
        'assets:',
        '  pump-01: { kind: test-pump, running: { signal: state, equals: 2 }, signals: { flow: { unit: m³/h, normal: [80, 120] }, pressure: { unit: bar, normal: [3, 5] }, current: { unit: A, normal: [20, 40] }, state: { unit: "" } } }',
        'detection: { shippedModels: false }',
      ].join('\n'),
    );
  });
  afterAll(() => data.remove());

  it('says how much running data there is and how much is needed when the stretch is too short', async () => {
    const { stream } = output();
    await expect(runCalibrate('pump-01', { data: data.path, from: '-95m', to: '-89m', out: stream })).rejects.toThrow(
      // The range ends 10 s into the running stretch (± a second of clock between the set-up and the test).
      /^not enough data to calibrate pump-01 from its history between .*: (9|10|11) usable row\(s\) \(\d+ s of running operation with every input good: flow, pressure, current\); at least 600 are needed \(10 min\), 30 minutes or more recommended\. Of 36\d row\(s\) formed, left out: (299|300|301) while it was not running, 50 settling after a start/,
    );
  });

  it('fits the running stretch of a relative range from the data folder alone, with progress lines, and writes a model that loads', async () => {
    const { stream, text } = output();
    const result = await runCalibrate('pump-01', { data: data.path, from: '-2h', out: stream });
    expect(result.cardFile).toBe(path.join(data.path, 'models', 'pump-01-calibrated.json'));
    expect(existsSync(result.modelFile)).toBe(true);
    expect(result.card).toMatchObject({ id: 'pump-01-calibrated', asset: 'pump-01', assetKind: 'test-pump' });
    // The first half hour of the range is stopped, then 50 rows settle after the start.
    expect(result.card.training.rows).toBeGreaterThan(5300);
    expect(result.card.training.rows).toBeLessThan(5400);
    expect(Date.parse(result.card.training.from!)).toBeGreaterThanOrEqual(runningFrom + 5400_000);
    expect(text()).toMatch(/^calibrate pump-01 \(test-pump\): flow, pressure, current, following model test-pump; history .*\n/);
    expect(text()).toContain("reading pump-01's history: 100 %");
    expect(text()).toMatch(/wrote .*pump-01-calibrated\.onnx and .*pump-01-calibrated\.json; a running box with this data folder attaches it to pump-01/);
    const model = await loadDetectionModel(result.cardFile);
    expect(model.card.inputs.map((input) => input.unit)).toEqual(['', '', '']);
    await model.release();
  });

  it('takes the asset, its units and its data folder from a configuration, and names the known assets for an unknown one', async () => {
    const { stream } = output();
    const result = await runCalibrate('pump-01', { config: path.join(data.path, 'plant.yaml'), data: 'ignored', from: '-1h', out: stream });
    expect(result.card.inputs).toEqual([
      { signal: 'flow', unit: 'm³/h' },
      { signal: 'pressure', unit: 'bar' },
      { signal: 'current', unit: 'A' },
    ]);
    await expect(runCalibrate('pump-9', { config: path.join(data.path, 'plant.yaml'), data: 'ignored', out: stream })).rejects.toThrow('the configuration has no asset "pump-9" (assets: pump-01)');
    await expect(runCalibrate('pump-9', { data: data.path, out: stream })).rejects.toThrow('the history knows no asset "pump-9" (assets: pump-01); give the configuration with --config FILE');
  });

  it('exits with 1 and the reason when there is no box database', async () => {
    const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
    const child = spawn(process.execPath, ['--import', loader, path.join(PACKAGE_ROOT, 'edge', 'cli', 'main.ts'), 'calibrate', 'pump-01', '--data', path.join(data.path, 'nothing-here')]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain(`millwright: no box database at ${path.join(data.path, 'nothing-here', 'millwright.db')}`);
  });
});
