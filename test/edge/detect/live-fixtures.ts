import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sample } from '../../../gateway/sample.js';
import type { ConditionReport } from '../../../edge/alerts/condition-report.js';
import type { AssetConfig } from '../../../edge/config/config-schema.js';
import { resolveDetectionConfig, type DetectionSettings } from '../../../edge/detect/detection-config.js';
import { LiveDetection } from '../../../edge/detect/live/live-detection.js';
import { fitMachine } from '../../../edge/detect/machine-calibration.js';
import { machineModelArtifacts, writeModelArtifacts } from '../../../edge/detect/model-artifacts.js';
import { GRID_1S, normalRows, SIGNALS } from './detect-fixtures.js';

export const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);

/** A pump as a configuration describes it: the three fixture signals, a state, running while state is 2. */
export function pumpConfig(kind = 'test-pump', extra: Record<string, { unit: string }> = {}): AssetConfig {
  return {
    kind,
    running: { signal: 'state', equals: 2 },
    signals: { flow: { unit: 'm³/h' }, pressure: { unit: 'bar' }, current: { unit: 'A' }, state: { unit: '' }, ...extra },
  };
}

/** Writes a machine-mode model fitted on the fixture's normal rows: `<id>.onnx` and its card. */
export async function writeModel(folder: string, options: { id: string; assetKind?: string; asset?: string; inputs?: readonly string[]; seed?: number }): Promise<string> {
  const inputs = options.inputs ?? SIGNALS;
  const rows = normalRows(600, options.seed ?? 1).map((row) => row.slice(0, inputs.length));
  const artifacts = machineModelArtifacts(fitMachine(rows), {
    id: options.id,
    assetKind: options.assetKind ?? 'test-pump',
    ...(options.asset ? { asset: options.asset } : {}),
    description: 'fitted in a test',
    inputs: inputs.map((signal) => ({ signal, unit: '' })),
    grid: GRID_1S,
    training: { data: 'synthetic normal rows' },
  });
  const { cardFile } = await writeModelArtifacts(folder, artifacts);
  return cardFile;
}

/** Breaks a written card: a field of the wrong type. */
export async function writeBadCard(folder: string, id: string): Promise<void> {
  await writeFile(path.join(folder, `${id}.json`), JSON.stringify({ id, version: '1', assetKind: 'test-pump', grid: { periodMs: 'fast' } }));
  await writeFile(path.join(folder, `${id}.onnx`), 'not a model');
}

/** One second of a running pump: the fixture's values (or `values`) and state 2. */
export function pumpSecond(asset: string, second: number, values: ArrayLike<number>, state = 2): Sample[] {
  const ts = T0 + second * 1000;
  return [...SIGNALS.map((signal, i): Sample => ({ asset, signal, value: values[i] as number, ts, quality: 'good', source: 'test' })), { asset, signal: 'state', value: state, ts, quality: 'good', source: 'test' }];
}

export interface DetectionHarness {
  readonly detection: LiveDetection;
  readonly reports: ConditionReport[];
  readonly scores: Sample[];
  /** Feeds a batch as the bus would (the latest values for the alert details included). */
  push(batch: readonly Sample[]): void;
}

export async function startDetection(
  assets: Readonly<Record<string, AssetConfig>>,
  folders: { shipped: string | null; box: string },
  settings: Partial<DetectionSettings> = {},
  watch = false,
): Promise<DetectionHarness> {
  const reports: ConditionReport[] = [];
  const scores: Sample[] = [];
  const latest = new Map<string, number>();
  const detection = await LiveDetection.start({
    assets,
    settings: { ...resolveDetectionConfig(undefined), ...settings },
    shippedFolder: folders.shipped,
    boxFolder: folders.box,
    report: (batch) => reports.push(...batch),
    publish: (samples) => scores.push(...samples),
    latestValue: (asset, signal) => latest.get(`${asset}/${signal}`),
    watch,
    now: () => T0,
  });
  const push = (batch: readonly Sample[]) => {
    for (const sample of batch) latest.set(`${sample.asset}/${sample.signal}`, sample.value);
    detection.push(batch);
  };
  return { detection, reports, scores, push };
}
