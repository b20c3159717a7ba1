import type { GridRow } from './asset-resampler.js';
import type { MachineDetectorParams, ModelCard } from './model-card.js';
import type { BatchSlot, RowDetector, RowVerdict, SkipReason } from './row-detector.js';

/** A settling row is calm when it scores under this share of the threshold: clearly back, not hovering at the edge. */
const CALM_SHARE = 0.5;

export interface MachineDetectorOptions {
  /** Rows after a start (running again after a stop) that never raise; default: the card's settleRows, else its warmupRows. */
  readonly settleRows?: number;
  /** Start from the asset's present level (the first warmupRows running rows settle the EWMA, then it becomes the reference) instead of the card's initialReference. */
  readonly referenceFromPresent?: boolean;
}

/**
 * Machine mode, per asset (the research's design S5):
 *   z = (x − mean) / std;  f ← f + a (z − f), a = 2/(span+1);  r = f − c
 *   the model scores u = r / s against P: x_model = f/s, reference = c/s  →  T² = uᵀPu
 *   anomalous after raiseAfter consecutive T² > threshold; c ← c + r/τ only while not anomalous.
 * The reference c drifts with slow normal change and freezes while anomalous, so a fault that holds
 * keeps being reported instead of being learned as normal.
 *
 * After a start the EWMA restarts from the reference (the running level kept through the stop) and the
 * machine settles: without the card's settleCalmRows, settleRows rows are skipped; with it, warmupRows
 * rows are skipped and the following ones are scored but never anomalous until settleCalmRows of them in
 * a row score under half the threshold (temperatures back at their running level). A machine that is not back
 * by settleRows rows after the start runs at another level than before the stop (its load changed while
 * it stood): its present level becomes the reference. So a fault already present at a start is not
 * reported by the model; one developing while it runs is.
 */
export class MachineDetector implements RowDetector {
  readonly rowsPerRun = 1;
  private readonly params: MachineDetectorParams;
  private readonly mean: readonly number[];
  private readonly std: readonly number[];
  private readonly smoothing: number;
  private readonly ewma: Float64Array;
  private readonly reference: Float64Array;
  private readonly residual: Float64Array;
  private readonly settleRows: number;
  private exceedances = 0;
  private anomalous = false;
  private wasRunning = true;
  /** Rows still skipped outright (not scored). */
  private skipLeft = 0;
  /** Rows still scored without raising, unless calm comes first. */
  private settleLeft = 0;
  private calmRows = 0;
  /** The prepared row is a settling row. */
  private settlingRow = false;
  /** The next running row starts the EWMA from its own values, and the reference follows after warmupRows. */
  private fresh: boolean;
  private adoptPending = false;
  private rowId = 0;

  constructor(
    private readonly card: ModelCard,
    options: MachineDetectorOptions = {},
  ) {
    if (card.detector.kind !== 'machine') throw new Error(`model ${card.id} is a ${card.detector.kind}-mode model, not machine mode`);
    this.params = card.detector;
    this.mean = card.normalisation.mean;
    this.std = card.normalisation.std;
    this.smoothing = 2 / (this.params.ewmaSpan + 1);
    this.ewma = Float64Array.from(this.params.initialReference);
    this.reference = Float64Array.from(this.params.initialReference);
    this.residual = new Float64Array(card.inputs.length);
    this.settleRows = options.settleRows ?? this.params.settleRows ?? this.params.warmupRows;
    this.fresh = options.referenceFromPresent === true;
  }

  referencesFor(): number {
    return 1;
  }

  prepare(row: GridRow, running: boolean, slot: BatchSlot): number | SkipReason {
    if (!running) {
      this.wasRunning = false;
      return 'not-running';
    }
    if (!this.wasRunning) {
      this.wasRunning = true;
      if (this.adoptPending) this.fresh = true;
      else this.restart();
    }
    const { ewma, reference, residual, smoothing } = this;
    if (this.fresh) {
      this.fresh = false;
      for (let i = 0; i < ewma.length; i++) ewma[i] = this.standardised(row, i);
      this.skipLeft = this.params.warmupRows;
      this.adoptPending = true;
    }
    for (let i = 0; i < ewma.length; i++) {
      ewma[i] = (ewma[i] as number) + smoothing * (this.standardised(row, i) - (ewma[i] as number));
    }
    if (this.adoptPending && this.skipLeft <= 0) this.adoptPresent();
    if (this.skipLeft > 0) {
      this.skipLeft--;
      if (this.skipLeft === 0 && this.adoptPending) this.adoptPresent();
      return 'settling';
    }
    this.settlingRow = this.settleLeft > 0;
    if (this.settlingRow) this.settleLeft--;
    const scale = this.params.residualScale;
    for (let i = 0; i < ewma.length; i++) {
      residual[i] = (ewma[i] as number) - (reference[i] as number);
      slot.x[slot.xOffset + i] = (ewma[i] as number) / (scale[i] as number);
      slot.references[slot.referencesOffset + i * slot.referenceCount] = (reference[i] as number) / (scale[i] as number);
    }
    return ++this.rowId;
  }

  complete(_rowId: number, distance: number): RowVerdict {
    if (this.settlingRow) {
      this.calmRows = distance > CALM_SHARE * this.card.threshold ? 0 : this.calmRows + 1;
      if (this.calmRows >= (this.params.settleCalmRows ?? Infinity)) this.settleLeft = 0;
      // Not back to the level before the stop within settleRows: it runs elsewhere now (another load, another season).
      else if (this.settleLeft === 0) this.reference.set(this.ewma);
      return { score: distance, anomalous: false, exceedances: 0, settling: true };
    }
    this.exceedances = distance > this.card.threshold ? this.exceedances + 1 : 0;
    this.anomalous = this.exceedances >= this.card.persistence.raiseAfter;
    if (!this.anomalous) {
      const step = 1 / this.params.referenceTau;
      for (let i = 0; i < this.reference.length; i++) this.reference[i] = (this.reference[i] as number) + step * (this.residual[i] as number);
    }
    return { score: distance, anomalous: this.anomalous, exceedances: this.exceedances };
  }

  resetReference(): void {
    this.reference.set(this.ewma);
    this.exceedances = 0;
    this.anomalous = false;
  }

  private standardised(row: GridRow, i: number): number {
    return ((row.values[i] as number) - (this.mean[i] as number)) / (this.std[i] as number);
  }

  private adoptPresent(): void {
    this.adoptPending = false;
    this.reference.set(this.ewma);
  }

  /** Running again after a stop: the EWMA restarts from the reference, which kept the running state's level. */
  private restart(): void {
    this.ewma.set(this.reference);
    this.exceedances = 0;
    this.anomalous = false;
    this.calmRows = 0;
    if (this.params.settleCalmRows === undefined) {
      this.skipLeft = this.settleRows;
      this.settleLeft = 0;
    } else {
      this.skipLeft = Math.min(this.params.warmupRows, this.settleRows);
      this.settleLeft = this.settleRows - this.skipLeft;
    }
  }
}
