import type { Sample } from '../../gateway/sample.js';

export interface ResamplerSpec {
  /** The model's inputs, in order. */
  readonly signals: readonly string[];
  /** Grid period of the model (ms). */
  readonly periodMs: number;
  /** How long a reading may be held forward onto later grid points before that input counts as missing. */
  readonly maxHoldMs: number;
  /**
   * How far the asset's newest reading must be past a grid point before that point is emitted, to let
   * late inputs in. A point every input has reached (each has a reading at or after it) goes out at once.
   */
  readonly latenessMs: number;
}

/**
 * One grid point: a value per input — the latest reading when the point is emitted, so at most
 * latenessMs after it, else held from before — and whether each is usable.
 */
export interface GridRow {
  readonly ts: number;
  readonly values: Float64Array;
  /** 1 where the value is a good reading no older than maxHoldMs; 0 where the input is missing or bad. */
  readonly valid: Uint8Array;
}

export type RowListener = (row: GridRow) => void;

/**
 * Aligns one asset's inputs onto the model's time grid by event time (sample timestamps), so the
 * live path and a replayed recording produce the same rows. Zero-order hold up to maxHoldMs; beyond
 * that, or after a bad-quality reading, the input is marked missing — never silently zero. A grid point
 * is emitted once every input has a reading at or after it, or else once the asset's newest reading is
 * latenessMs past it.
 */
export class AssetResampler {
  private readonly index = new Map<string, number>();
  private readonly lastValue: Float64Array;
  private readonly lastTs: Float64Array;
  private readonly lastGood: Uint8Array;
  private newestTs = -Infinity;
  private nextGridTs = Number.NaN;
  /** Readings older than the last emitted grid point: they arrived too late to count. */
  lateReadings = 0;

  constructor(private readonly spec: ResamplerSpec) {
    spec.signals.forEach((signal, i) => this.index.set(signal, i));
    this.lastValue = new Float64Array(spec.signals.length).fill(Number.NaN);
    this.lastTs = new Float64Array(spec.signals.length).fill(-Infinity);
    this.lastGood = new Uint8Array(spec.signals.length);
  }

  /** True when the sample is one of the model's inputs (and was taken). */
  push(sample: Sample): boolean {
    const i = this.index.get(sample.signal);
    if (i === undefined) return false;
    if (!Number.isNaN(this.nextGridTs) && sample.ts < this.nextGridTs - this.spec.periodMs) {
      this.lateReadings += 1;
      return true;
    }
    if (sample.ts >= this.lastTs[i]!) {
      this.lastTs[i] = sample.ts;
      this.lastValue[i] = sample.value;
      this.lastGood[i] = sample.quality === 'bad' || !Number.isFinite(sample.value) ? 0 : 1;
    }
    if (sample.ts > this.newestTs) this.newestTs = sample.ts;
    if (Number.isNaN(this.nextGridTs)) this.nextGridTs = Math.ceil(sample.ts / this.spec.periodMs) * this.spec.periodMs;
    return true;
  }

  private everyInputReached(ts: number): boolean {
    for (let i = 0; i < this.lastTs.length; i++) if (this.lastTs[i]! < ts) return false;
    return true;
  }

  /** Emits every grid point that every input has reached, or the newest reading has passed by latenessMs. */
  drain(listener: RowListener): void {
    const { periodMs, maxHoldMs, latenessMs } = this.spec;
    while (!Number.isNaN(this.nextGridTs) && (this.newestTs - this.nextGridTs >= latenessMs || this.everyInputReached(this.nextGridTs))) {
      const ts = this.nextGridTs;
      const values = new Float64Array(this.lastValue.length);
      const valid = new Uint8Array(this.lastValue.length);
      for (let i = 0; i < values.length; i++) {
        values[i] = this.lastValue[i]!;
        valid[i] = this.lastGood[i]! && ts - this.lastTs[i]! <= maxHoldMs ? 1 : 0;
      }
      listener({ ts, values, valid });
      this.nextGridTs += periodMs;
    }
  }
}
