import type { GridRow } from './asset-resampler.js';

/** Why a row was not scored; the engine counts each. */
export type SkipReason = 'missing-input' | 'not-running' | 'settling' | 'warming-up';

export type FloatArray = Float32Array | Float64Array;

/** Where a prepared row writes its model inputs: x [F] and its references [F, K] (feature-major) inside the batch tensors. */
export interface BatchSlot {
  readonly x: FloatArray;
  readonly xOffset: number;
  readonly references: FloatArray;
  readonly referencesOffset: number;
  /** K: references per row in this batch; rows with fewer pad with copies of one of theirs. */
  readonly referenceCount: number;
}

export interface RowVerdict {
  readonly score: number;
  readonly anomalous: boolean;
  readonly exceedances: number;
  /** Scored while the machine settles after a start: never anomalous. */
  readonly settling?: boolean;
}

/**
 * The TypeScript half of a detector: state that turns grid rows into model inputs, and model outputs
 * into verdicts. The ONNX half (the distance to the nearest reference) runs in the engine's batches.
 */
export interface RowDetector {
  /** Rows of one asset that may share a run: 1 when a row's reference depends on the previous verdict. */
  readonly rowsPerRun: number;
  /** K for a batch holding this detector's next `rows` rows. */
  referencesFor(rows: number): number;
  /** Advances the state by one row and writes its model inputs into the slot, or says why it is not scored. */
  prepare(row: GridRow, running: boolean, slot: BatchSlot): number | SkipReason;
  /** The verdict on a prepared row (by the id prepare returned), from the model's distance for it. */
  complete(rowId: number, distance: number): RowVerdict;
  /** Takes the present level as normal from now on (after a person acknowledged a change). */
  resetReference(): void;
}
