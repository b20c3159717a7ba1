import type { Sample } from '../../../gateway/sample.js';
import { loadDetectionModel, type DetectionModel } from '../../../edge/detect/detection-model.js';
import { DetectionEngine, type AttachOptions } from '../../../edge/detect/detection-engine.js';
import type { Finding } from '../../../edge/detect/finding.js';
import { fitMachine, type MachineFitSettings } from '../../../edge/detect/machine-calibration.js';
import { machineModelArtifacts, streamModelArtifacts, writeModelArtifacts } from '../../../edge/detect/model-artifacts.js';
import type { ModelCard } from '../../../edge/detect/model-card.js';
import { fitStream, type StreamFitSettings } from '../../../edge/detect/stream-calibration.js';
import { SeededRandom } from '../../../simulators/machines/seeded-random.js';

export const SIGNALS = ['flow', 'pressure', 'current'] as const;
export const GRID_1S: ModelCard['grid'] = { periodMs: 1000, maxHoldMs: 2500, latenessMs: 1000 };

/** Normal operation of a 3-signal machine: a shared slow load, and noise of its own per signal. */
export function normalRows(count: number, seed = 1, purpose = 'normal'): Float64Array[] {
  const random = SeededRandom.forStream(seed, 'machine', purpose);
  let load = 0;
  return Array.from({ length: count }, () => {
    load = 0.98 * load + 0.2 * random.gaussian();
    return Float64Array.from([100 + 5 * load + random.gaussian(), 4 + 0.2 * load + 0.05 * random.gaussian(), 30 + load + 0.3 * random.gaussian()]);
  });
}

export function rowSamples(asset: string, ts: number, values: ArrayLike<number>, signals: readonly string[] = SIGNALS): Sample[] {
  return signals.map((signal, i) => ({ asset, signal, value: values[i] as number, ts, quality: 'good', source: 'test' }));
}

export async function machineModel(folder: string, fitRows: readonly ArrayLike<number>[], settings: Partial<MachineFitSettings> = {}, id = 'test-machine'): Promise<DetectionModel> {
  const artifacts = machineModelArtifacts(fitMachine(fitRows, settings), {
    id,
    assetKind: 'test-pump',
    description: 'fitted in a test',
    inputs: SIGNALS.map((signal) => ({ signal, unit: '' })),
    grid: GRID_1S,
    training: { data: 'synthetic normal rows' },
  });
  return loadDetectionModel((await writeModelArtifacts(folder, artifacts)).cardFile);
}

export async function streamModel(folder: string, fitValues: ArrayLike<number>, settings: Partial<StreamFitSettings> = {}, threshold = 0.3): Promise<DetectionModel> {
  const artifacts = streamModelArtifacts(
    fitStream(fitValues, settings),
    {
      id: 'test-stream',
      assetKind: 'test-stream',
      description: 'fitted in a test',
      inputs: [{ signal: 'level', unit: 'm' }],
      grid: { periodMs: 0, maxHoldMs: 0, latenessMs: 0 },
      training: { data: 'synthetic stream' },
    },
    threshold,
  );
  return loadDetectionModel((await writeModelArtifacts(folder, artifacts)).cardFile);
}

/** An engine that keeps every finding, with the model attached to `asset`. */
export function engineWith(model: DetectionModel, asset: string, options: AttachOptions = {}) {
  const findings: Finding[] = [];
  const engine = new DetectionEngine({ onFinding: (finding) => findings.push(finding) });
  engine.attach(model, asset, options);
  return { engine, findings };
}
