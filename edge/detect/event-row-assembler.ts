import type { Sample } from '../../gateway/sample.js';
import type { GridRow, RowListener } from './asset-resampler.js';

export interface EventRowSpec {
  readonly signals: readonly string[];
  /** How long an input missing from a row may be held from its last reading (by source timestamp). */
  readonly maxHoldMs: number;
}

/**
 * Rows without a grid, for sources that stamp all of an asset's inputs with one timestamp (a PLC scan,
 * a recording replayed row by row): the samples of one timestamp form one row, in arrival order. A row
 * is complete, and emitted, when every input is in it; it is also closed when a sample with another
 * timestamp, or a second reading of an input already in it, arrives. Inputs missing from a closed row
 * are held from their last reading up to maxHoldMs, else marked missing — never silently zero.
 */
export class EventRowAssembler {
  private readonly index = new Map<string, number>();
  private readonly lastValue: Float64Array;
  private readonly lastTs: Float64Array;
  private readonly lastGood: Uint8Array;
  private readonly present: Uint8Array;
  private openTs = Number.NaN;
  private openCount = 0;
  private readonly ready: GridRow[] = [];
  /** Always 0: without a grid no reading is too late. */
  readonly lateReadings = 0;

  constructor(private readonly spec: EventRowSpec) {
    spec.signals.forEach((signal, i) => this.index.set(signal, i));
    this.lastValue = new Float64Array(spec.signals.length).fill(Number.NaN);
    this.lastTs = new Float64Array(spec.signals.length).fill(Number.NEGATIVE_INFINITY);
    this.lastGood = new Uint8Array(spec.signals.length);
    this.present = new Uint8Array(spec.signals.length);
  }

  push(sample: Sample): boolean {
    const i = this.index.get(sample.signal);
    if (i === undefined) return false;
    if (this.openCount > 0 && (sample.ts !== this.openTs || this.present[i] === 1)) this.close();
    if (this.openCount === 0) this.openTs = sample.ts;
    this.lastValue[i] = sample.value;
    this.lastTs[i] = sample.ts;
    this.lastGood[i] = sample.quality === 'bad' || !Number.isFinite(sample.value) ? 0 : 1;
    this.present[i] = 1;
    this.openCount++;
    if (this.openCount === this.present.length) this.close();
    return true;
  }

  drain(listener: RowListener): void {
    for (const row of this.ready.splice(0)) listener(row);
  }

  private close(): void {
    const ts = this.openTs;
    const values = Float64Array.from(this.lastValue);
    const valid = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const fresh = this.present[i] === 1 || Math.abs(ts - this.lastTs[i]!) <= this.spec.maxHoldMs;
      valid[i] = this.lastGood[i] === 1 && fresh ? 1 : 0;
    }
    this.ready.push({ ts, values, valid });
    this.present.fill(0);
    this.openCount = 0;
  }
}
