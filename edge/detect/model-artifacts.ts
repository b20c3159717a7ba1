import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MachineFit } from './machine-calibration.js';
import type { ModelCard } from './model-card.js';
import { buildNearestReferenceModel, DEFAULT_TENSOR_NAMES, type ElementType } from './onnx/nearest-reference-graph.js';
import type { StreamFit } from './stream-calibration.js';

/** A fitted model ready to be written: its card and its ONNX bytes. */
export interface ModelArtifacts {
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
}

/** What a card says about a model beyond the fit itself. */
export interface ModelDescription {
  readonly id: string;
  readonly version?: string;
  readonly assetKind: string;
  /** The one asset a calibrated model is for (it then takes precedence over models of the asset's kind). */
  readonly asset?: string;
  readonly priority?: ModelCard['priority'];
  readonly description: string;
  readonly inputs: readonly { readonly signal: string; readonly unit: string }[];
  readonly grid: ModelCard['grid'];
  readonly training: { readonly data: string; readonly fittedAt?: Date; readonly seed?: number; readonly from?: Date; readonly to?: Date };
  /** Machine mode: rows after a start that never raise; default the fit's warmupRows. */
  readonly settleRows?: number;
  /** Machine mode: settling ends once this many rows in a row score under the threshold (see the card's detector). */
  readonly settleCalmRows?: number;
  readonly evaluation?: ModelCard['evaluation'];
  /** Default float32: what ONNX models on the edge usually hold. */
  readonly elementType?: ElementType;
}

const TENSORS = {
  onnx: { features: DEFAULT_TENSOR_NAMES.features, references: DEFAULT_TENSOR_NAMES.references },
  output: { kind: 'nearest-reference-distance', score: DEFAULT_TENSOR_NAMES.score, nearest: DEFAULT_TENSOR_NAMES.nearest, contributions: DEFAULT_TENSOR_NAMES.contributions },
} as const;

function cardIdentity(description: ModelDescription) {
  return {
    id: description.id,
    version: description.version ?? '1',
    assetKind: description.assetKind,
    ...(description.asset === undefined ? {} : { asset: description.asset }),
    ...(description.priority === undefined ? {} : { priority: description.priority }),
    description: description.description,
    inputs: description.inputs.map((input) => ({ signal: input.signal, unit: input.unit })),
  };
}

function provenance(description: ModelDescription, rows: number, method: string, settings?: Readonly<Record<string, number | boolean>>) {
  const { training } = description;
  return {
    training: {
      data: training.data,
      rows,
      fittedAt: (training.fittedAt ?? new Date()).toISOString(),
      method,
      ...(training.seed === undefined ? {} : { seed: training.seed }),
      ...(training.from === undefined ? {} : { from: training.from.toISOString() }),
      ...(training.to === undefined ? {} : { to: training.to.toISOString() }),
      ...(settings === undefined ? {} : { settings: { ...settings } }),
    },
    ...(description.evaluation ? { evaluation: description.evaluation } : {}),
  };
}

export function machineModelArtifacts(fit: MachineFit, description: ModelDescription, persistence: { raiseAfter: number } = { raiseAfter: 1 }): ModelArtifacts {
  const F = fit.mean.length;
  if (description.inputs.length !== F) throw new Error(`model ${description.id}: ${description.inputs.length} inputs described for a fit of ${F}`);
  const elementType = description.elementType ?? 'float32';
  const { settings } = fit;
  const card: ModelCard = {
    ...cardIdentity(description),
    mode: 'machine',
    grid: { ...description.grid },
    normalisation: { mean: [...fit.mean], std: [...fit.std] },
    detector: {
      kind: 'machine',
      ewmaSpan: settings.ewmaSpan,
      residualScale: [...fit.residualScale],
      referenceTau: settings.referenceTau,
      warmupRows: settings.warmupRows,
      ...(description.settleRows === undefined ? {} : { settleRows: description.settleRows }),
      ...(description.settleCalmRows === undefined ? {} : { settleCalmRows: description.settleCalmRows }),
      initialReference: new Array<number>(F).fill(0),
    },
    onnx: { elementType, ...TENSORS.onnx },
    output: { ...TENSORS.output },
    threshold: fit.threshold,
    persistence: { raiseAfter: persistence.raiseAfter },
    ...provenance(
      description,
      fit.rows,
      `machine mode (EWMA span ${settings.ewmaSpan}, drifting reference τ ${settings.referenceTau} frozen while anomalous; ` +
        `residual covariance shrunk ${settings.shrinkage} toward its diagonal${settings.longRunInflation ? ', AR(1) long-run inflation' : ''}; ` +
        `threshold = quantile ${settings.quantile} of the fit rows' T² × margin ${settings.margin})`,
      { ...settings },
    ),
  };
  const onnx = buildNearestReferenceModel({ features: F, weights: fit.weights, references: 1, elementType, description: `${card.id}: ${card.description}` });
  return { card, onnx };
}

/**
 * Stream mode. `threshold` is where a finding counts as anomalous on the output scale [0, 1]. The
 * default 0.2 is, rounded, the threshold NAB's optimizer chose for this design on the 18 NAB files
 * (standard profile: 0.199, i.e. z ≈ 1.24 at an episode's first row); the benchmark itself chooses its
 * thresholds from the outputs, as NAB does.
 */
export function streamModelArtifacts(fit: StreamFit, description: ModelDescription, threshold = 0.2): ModelArtifacts {
  if (description.inputs.length !== 1) throw new Error(`model ${description.id}: stream mode takes one input (got ${description.inputs.length})`);
  const elementType = description.elementType ?? 'float32';
  const { settings } = fit;
  const features = 2 * settings.blocks;
  const card: ModelCard = {
    ...cardIdentity(description),
    mode: 'stream',
    grid: { ...description.grid },
    normalisation: { mean: [fit.low], std: [fit.range] },
    detector: {
      kind: 'stream',
      windowRows: fit.windowRows,
      blocks: settings.blocks,
      blockRows: fit.blockRows,
      tailQuantile: settings.tailQuantile,
      tailMinHistory: settings.tailMinHistory,
      refitEvery: settings.refitEvery,
      maskRows: fit.maskRows,
      reraiseFactor: settings.reraiseFactor,
      memoryCap: settings.memoryCap,
      quietRows: fit.rows,
      outputScale: settings.outputScale,
    },
    onnx: { elementType, ...TENSORS.onnx },
    output: { ...TENSORS.output },
    threshold,
    persistence: { raiseAfter: 1 },
    ...provenance(
      description,
      fit.rows,
      `stream mode (windows of ${fit.windowRows} rows in ${settings.blocks} blocks, max and min each; nearest of up to ${settings.memoryCap} past windows; ` +
        `exponential tail above quantile ${settings.tailQuantile}; episodes masking ${fit.maskRows} rows)`,
    ),
  };
  const euclidean = Array.from({ length: features * features }, (_, i) => (i % (features + 1) === 0 ? 1 : 0));
  const onnx = buildNearestReferenceModel({ features, weights: euclidean, elementType, description: `${card.id}: ${card.description}` });
  return { card, onnx };
}

/** Records how a written model scored, in its card's `evaluation`. */
export async function recordEvaluation(cardFile: string, evaluation: NonNullable<ModelCard['evaluation']>): Promise<void> {
  const card = JSON.parse(await readFile(cardFile, 'utf8')) as ModelCard;
  await writeFile(cardFile, `${JSON.stringify({ ...card, evaluation }, null, 2)}\n`);
}

/** Writes `<id>.onnx` and its card `<id>.json` into `folder`. */
export async function writeModelArtifacts(folder: string, artifacts: ModelArtifacts): Promise<{ cardFile: string; modelFile: string }> {
  await mkdir(folder, { recursive: true });
  const modelFile = path.join(folder, `${artifacts.card.id}.onnx`);
  const cardFile = path.join(folder, `${artifacts.card.id}.json`);
  await writeFile(modelFile, artifacts.onnx);
  await writeFile(cardFile, `${JSON.stringify(artifacts.card, null, 2)}\n`);
  return { cardFile, modelFile };
}
