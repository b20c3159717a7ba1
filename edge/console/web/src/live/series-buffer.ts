import type { Point } from '../api-types.js';

/**
 * A signal's recent points for a chart, as the column arrays uPlot draws ([times], [values], null
 * for a bad point so the line breaks), trimmed to a time window behind the newest point.
 */
export class SeriesBuffer {
  readonly times: number[] = [];
  readonly values: (number | null)[] = [];

  constructor(readonly windowMs: number) {}

  /** Adds points in any order relative to what is held; older ones than the window are dropped. */
  add(points: readonly Point[]): void {
    for (const [ts, value, quality] of points) {
      const shown = quality === 'bad' ? null : value;
      const last = this.times.length - 1;
      if (last < 0 || ts > this.times[last]!) {
        this.times.push(ts);
        this.values.push(shown);
      } else if (ts === this.times[last]) {
        this.values[last] = shown;
      } else {
        const at = this.insertionIndex(ts);
        if (this.times[at] === ts) this.values[at] = shown;
        else {
          this.times.splice(at, 0, ts);
          this.values.splice(at, 0, shown);
        }
      }
    }
    this.trim();
  }

  get newest(): number | null {
    return this.times.at(-1) ?? null;
  }

  /** Drops the points older than the window, measured back from `now` or from the newest point. */
  trim(now: number | null = this.newest): void {
    if (now === null) return;
    const cutoff = now - this.windowMs;
    let drop = 0;
    while (drop < this.times.length && this.times[drop]! < cutoff) drop += 1;
    if (drop > 0) {
      this.times.splice(0, drop);
      this.values.splice(0, drop);
    }
  }

  private insertionIndex(ts: number): number {
    let low = 0;
    let high = this.times.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.times[mid]! < ts) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
