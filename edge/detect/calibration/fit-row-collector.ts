import type { Sample } from '../../../gateway/sample.js';
import { runningFrom, type RunningCondition } from '../detection-engine.js';
import type { ModelCard } from '../model-card.js';
import { rowAssemblerFor, type RowAssembler } from '../row-assembler.js';

export interface FitRowCollectorOptions {
  readonly asset: string;
  readonly grid: ModelCard['grid'];
  /** The asset's signal ids of the model inputs, in order. */
  readonly signals: readonly string[];
  /** The asset's running condition; rows while it does not run are left out. None: always running. */
  readonly running?: RunningCondition;
  /** Rows after a start left out, as the detector leaves them unscored. */
  readonly settleRows: number;
}

export interface FitRowCounts {
  readonly formed: number;
  readonly kept: number;
  readonly notRunning: number;
  readonly settling: number;
  readonly missingInput: number;
}

/**
 * The rows a model would score, kept for a fit: an asset's samples through the card's grid (the
 * engine's own row assembler), keeping rows where every input is good and the machine runs, and
 * leaving out the settle rows after each start — the same rules as the DetectionEngine, so the model
 * is fitted on what it will see.
 */
export class FitRowCollector {
  readonly rows: Float64Array[] = [];
  /** Indices into `rows` where a running stretch after a stop begins (for fitMachine). */
  readonly segmentStarts: number[] = [];
  /** ms of the first and last kept row. */
  firstTs = Number.NaN;
  lastTs = Number.NaN;
  private readonly assembler: RowAssembler;
  private running = true;
  private wasRunning = true;
  private settleLeft = 0;
  private restarted = false;
  private formed = 0;
  private notRunning = 0;
  private settling = 0;
  private missingInput = 0;

  constructor(private readonly options: FitRowCollectorOptions) {
    this.assembler = rowAssemblerFor(options.grid, options.signals);
  }

  /** Samples of any assets; only this asset's are used. */
  push(samples: readonly Sample[]): void {
    const { asset, running } = this.options;
    for (const sample of samples) {
      if (sample.asset !== asset) continue;
      if (running && sample.signal === running.signal) this.running = runningFrom(running, sample) ?? this.running;
      if (!this.assembler.push(sample)) continue;
      this.assembler.drain((row) => {
        this.formed += 1;
        if (!this.running) {
          this.notRunning += 1;
          this.wasRunning = false;
          return;
        }
        if (!row.valid.every((flag) => flag === 1)) {
          this.missingInput += 1;
          return;
        }
        if (!this.wasRunning) {
          this.wasRunning = true;
          this.settleLeft = this.options.settleRows;
          this.restarted = true;
        }
        if (this.settleLeft > 0) {
          this.settleLeft -= 1;
          this.settling += 1;
          return;
        }
        if (this.restarted && this.rows.length > 0) this.segmentStarts.push(this.rows.length);
        this.restarted = false;
        this.rows.push(Float64Array.from(row.values));
        if (Number.isNaN(this.firstTs)) this.firstTs = row.ts;
        this.lastTs = row.ts;
      });
    }
  }

  counts(): FitRowCounts {
    return { formed: this.formed, kept: this.rows.length, notRunning: this.notRunning, settling: this.settling, missingInput: this.missingInput };
  }
}
