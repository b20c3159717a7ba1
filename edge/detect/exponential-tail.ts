import { populationStd, quantileOfSorted } from './statistics.js';

export interface ExponentialTailSettings {
  /** Quantile of the history above which the exponential tail is used. */
  readonly quantile: number;
  /** Values needed before any probability is given. */
  readonly minHistory: number;
  /** Rows between refits (a refit happens on rows whose index is a multiple of this). */
  readonly refitEvery: number;
  /** Most values kept (the oldest go first). */
  readonly cap: number;
}

/** First index in sorted[0, size) whose value is >= value (or > value when `strictly`). */
function bound(sorted: Float64Array, size: number, value: number, strictly: boolean): number {
  let low = 0;
  let high = size;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const entry = sorted[middle] as number;
    if (entry < value || (strictly && entry === value)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * How surprising a value is against the history of earlier ones, as z = −log10 p (peaks over
 * threshold): u is the history's q-quantile; above u, p = ζ·exp(−(d − u)/β) with β the mean excess
 * and ζ the share above u; at or below u, p is the share of the history at or above d. The fit is
 * redone every `refitEvery` rows and used as it was until then.
 */
export class ExponentialTail {
  /** Arrival order (a ring), to know which value leaves when the history is full. */
  private readonly arrivals: Float64Array;
  /** The same values kept sorted, so that a refit needs no sort. */
  private readonly ordered: Float64Array;
  private oldest = 0;
  private size = 0;
  private fitted: Float64Array | undefined;
  private threshold = 0;
  private meanExcess = 1;
  private shareAbove = 0;

  constructor(private readonly settings: ExponentialTailSettings) {
    this.arrivals = new Float64Array(settings.cap);
    this.ordered = new Float64Array(settings.cap);
  }

  /** z for `value` at row `row`, then `value` joins the history. 0 while the history is short. */
  surprise(value: number, row: number): number {
    let z = 0;
    if (this.size >= this.settings.minHistory) {
      if (this.fitted === undefined || row % this.settings.refitEvery === 0) this.refit();
      z = -Math.log10(Math.max(this.probability(value), 1e-300));
    }
    this.remember(value);
    return z;
  }

  private probability(value: number): number {
    if (value > this.threshold) return this.shareAbove * Math.exp(-(value - this.threshold) / this.meanExcess);
    const fitted = this.fitted as Float64Array;
    return Math.max((fitted.length - bound(fitted, fitted.length, value, false)) / fitted.length, 1e-12);
  }

  private refit(): void {
    const fitted = this.ordered.slice(0, this.size);
    const threshold = quantileOfSorted(fitted, this.settings.quantile);
    const firstAbove = bound(fitted, fitted.length, threshold, true);
    const above = fitted.length - firstAbove;
    let excess = 0;
    for (let i = firstAbove; i < fitted.length; i++) excess += (fitted[i] as number) - threshold;
    this.fitted = fitted;
    this.threshold = threshold;
    this.meanExcess = Math.max(above > 0 ? excess / above : populationStd(fitted), 1e-9);
    this.shareAbove = Math.max(above, 1) / fitted.length;
  }

  private remember(value: number): void {
    const { arrivals, ordered } = this;
    if (this.size === arrivals.length) {
      const leaving = bound(ordered, this.size, arrivals[this.oldest] as number, false);
      ordered.copyWithin(leaving, leaving + 1, this.size);
      this.size--;
      arrivals[this.oldest] = value;
      this.oldest = (this.oldest + 1) % arrivals.length;
    } else {
      arrivals[(this.oldest + this.size) % arrivals.length] = value;
    }
    const at = bound(ordered, this.size, value, true);
    ordered.copyWithin(at + 1, at, this.size);
    ordered[at] = value;
    this.size++;
  }
}
