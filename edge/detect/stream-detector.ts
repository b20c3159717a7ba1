import type { GridRow } from './asset-resampler.js';
import { ExponentialTail } from './exponential-tail.js';
import type { ModelCard, StreamDetectorParams } from './model-card.js';
import { ReferenceMemory } from './reference-memory.js';
import type { BatchSlot, RowDetector, RowVerdict, SkipReason } from './row-detector.js';

export interface StreamDetectorOptions {
  /** Rows after a start that are not scored, beyond refilling the window; default 0. */
  readonly settleRows?: number;
}

/** References needed before a row is scored: the research scores row t from t = 2L on, when two windows are in memory. */
const MIN_REFERENCES = 2;

/**
 * Stream mode, per univariate stream (the research's design N7):
 *   feature_t = max and min of each block of the last L rows, (v − low) / range   (2 × blocks numbers)
 *   memory    = the features of rows up to t − L (windows that do not overlap row t's), at most memoryCap
 *   d_t       = distance from feature_t to the nearest in memory (the ONNX model, P = identity)
 *   z_t       = −log10 of the tail probability of d_t among earlier distances
 *   output    = z/(z + c) on an episode's first row; an episode masks the next maskRows rows unless z
 *               grows past the last z / reraiseFactor; 0 on every other row and during the quiet rows.
 */
export class StreamDetector implements RowDetector {
  readonly rowsPerRun = Number.POSITIVE_INFINITY;
  private readonly params: StreamDetectorParams;
  private readonly low: number;
  private readonly range: number;
  /** The last L values, a ring. */
  private readonly window: Float64Array;
  /** Features of the last L rows, waiting to enter the memory (a ring of L × F). */
  private readonly pending: Float64Array;
  private readonly feature: Float64Array;
  private readonly memory: ReferenceMemory;
  private readonly tail: ExponentialTail;
  private readonly settleRows: number;
  /** Rows taken since the detector started: the research's row index t. */
  private row = -1;
  /** Rows taken since the last start, for the window and its pending features. */
  private rowsInSegment = 0;
  private settleLeft = 0;
  private wasRunning = true;
  private lastEpisodeRow = Number.NEGATIVE_INFINITY;
  private lastZ = 0;

  constructor(
    private readonly card: ModelCard,
    options: StreamDetectorOptions = {},
  ) {
    if (card.detector.kind !== 'stream') throw new Error(`model ${card.id} is a ${card.detector.kind}-mode model, not stream mode`);
    this.params = card.detector;
    this.low = card.normalisation.mean[0] as number;
    this.range = card.normalisation.std[0] as number;
    const { windowRows, blocks, memoryCap, tailQuantile, tailMinHistory, refitEvery } = this.params;
    const features = 2 * blocks;
    this.window = new Float64Array(windowRows);
    this.pending = new Float64Array(windowRows * features);
    this.feature = new Float64Array(features);
    this.memory = new ReferenceMemory(features, memoryCap, card.onnx.elementType);
    this.tail = new ExponentialTail({ quantile: tailQuantile, minHistory: tailMinHistory, refitEvery, cap: memoryCap });
    this.settleRows = options.settleRows ?? 0;
  }

  referencesFor(rows: number): number {
    return Math.max(1, Math.min(this.params.memoryCap, this.memory.count + rows));
  }

  prepare(row: GridRow, running: boolean, slot: BatchSlot): number | SkipReason {
    if (!running) {
      this.wasRunning = false;
      return 'not-running';
    }
    if (!this.wasRunning) {
      this.wasRunning = true;
      this.rowsInSegment = 0;
      this.settleLeft = this.settleRows;
    }
    const { windowRows: L } = this.params;
    const F = this.feature.length;
    this.row++;
    const position = this.rowsInSegment % L;
    this.window[position] = row.values[0] as number;
    this.rowsInSegment++;
    if (this.rowsInSegment < L) return 'warming-up';
    // The slot about to be overwritten holds row t − L's feature (once that row had a full window):
    // it joins the memory before row t is scored.
    if (this.rowsInSegment >= 2 * L) this.memory.append(this.pending.subarray(position * F, (position + 1) * F));
    this.computeFeature(position);
    this.pending.set(this.feature, position * F);
    if (this.settleLeft > 0) {
      this.settleLeft--;
      return 'settling';
    }
    if (this.memory.count < MIN_REFERENCES) return 'warming-up';
    slot.x.set(this.feature, slot.xOffset);
    this.memory.copyTo(slot.references, slot.referencesOffset, slot.referenceCount);
    return this.row;
  }

  complete(rowId: number, distance: number): RowVerdict {
    const z = this.tail.surprise(Math.sqrt(Math.max(distance, 0)), rowId);
    const { quietRows, maskRows, reraiseFactor, outputScale } = this.params;
    let score = 0;
    if (rowId >= quietRows && z > 0 && !(rowId - this.lastEpisodeRow <= maskRows && z <= this.lastZ / reraiseFactor)) {
      score = z / (z + outputScale);
      this.lastEpisodeRow = rowId;
      this.lastZ = z;
    }
    const over = score > this.card.threshold;
    return { score, anomalous: over, exceedances: over ? 1 : 0 };
  }

  /** Ends the present episode, so the next surprise raises at once. */
  resetReference(): void {
    this.lastEpisodeRow = Number.NEGATIVE_INFINITY;
    this.lastZ = 0;
  }

  /** Max and min of each block of the window ending at `newest` (ring position), oldest block first. */
  private computeFeature(newest: number): void {
    const { windowRows: L, blocks, blockRows } = this.params;
    for (let block = 0; block < blocks; block++) {
      let high = Number.NEGATIVE_INFINITY;
      let low = Number.POSITIVE_INFINITY;
      for (let k = 0; k < blockRows; k++) {
        const age = L - 1 - (block * blockRows + k);
        const value = this.window[(newest - age + L) % L] as number;
        if (value > high) high = value;
        if (value < low) low = value;
      }
      this.feature[block] = (high - this.low) / this.range;
      this.feature[blocks + block] = (low - this.low) / this.range;
    }
  }
}
