import type { GridRow } from './asset-resampler.js';
import type { MachineDetectorParams, ModelCard } from './model-card.js';
import type { BatchSlot, RowDetector, RowVerdict, SkipReason } from './row-detector.js';

export interface MachineDetectorOptions {
  /** Rows after a start (running again after a stop) that only settle the EWMA; default: the card's warmupRows. */
  readonly settleRows?: number;
}

/**
 * Machine mode, per asset (the research's design S5):
 *   z = (x − mean) / std;  f ← f + a (z − f), a = 2/(span+1);  r = f − c
 *   the model scores u = r / s against P: x_model = f/s, reference = c/s  →  T² = uᵀPu
 *   anomalous after raiseAfter consecutive T² > threshold; c ← c + r/τ only while not anomalous.
 * The reference c drifts with slow normal change and freezes while anomalous, so a fault that holds
 * keeps being reported instead of being learned as normal.
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
  private settleLeft = 0;
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
    this.settleRows = options.settleRows ?? this.params.warmupRows;
  }

  referencesFor(): number {
    return 1;
  }

  prepare(row: GridRow, running: boolean, slot: BatchSlot): number | SkipReason {
    if (!running) {
      this.wasRunning = false;
      return 'not-running';
    }
    if (!this.wasRunning) this.restart();
    const { ewma, reference, residual, smoothing } = this;
    for (let i = 0; i < ewma.length; i++) {
      const z = ((row.values[i] as number) - (this.mean[i] as number)) / (this.std[i] as number);
      ewma[i] = (ewma[i] as number) + smoothing * (z - (ewma[i] as number));
    }
    if (this.settleLeft > 0) {
      this.settleLeft--;
      return 'settling';
    }
    const scale = this.params.residualScale;
    for (let i = 0; i < ewma.length; i++) {
      residual[i] = (ewma[i] as number) - (reference[i] as number);
      slot.x[slot.xOffset + i] = (ewma[i] as number) / (scale[i] as number);
      slot.references[slot.referencesOffset + i * slot.referenceCount] = (reference[i] as number) / (scale[i] as number);
    }
    return ++this.rowId;
  }

  complete(_rowId: number, distance: number): RowVerdict {
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

  /** Running again after a stop: the EWMA restarts from the reference, which kept the running state's level. */
  private restart(): void {
    this.wasRunning = true;
    this.ewma.set(this.reference);
    this.exceedances = 0;
    this.anomalous = false;
    this.settleLeft = this.settleRows;
  }
}
