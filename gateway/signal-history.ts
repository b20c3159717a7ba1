import type { Quality, Sample } from './sample.js';

const QUALITY_CODES: readonly Quality[] = ['good', 'uncertain', 'bad'];
const QUALITY_INDEX: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };

export interface HistoryPoint {
  readonly ts: number;
  readonly value: number;
  readonly quality: Quality;
}

/**
 * The recent readings of one signal in a fixed-size ring, kept in timestamp order, oldest dropped first.
 * Typed arrays keep a long history cheap: 17 bytes a point.
 */
export class SignalHistory {
  private readonly timestamps: Float64Array;
  private readonly values: Float64Array;
  private readonly qualities: Uint8Array;
  /** Index of the oldest point. */
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity must be a positive integer, got ${capacity}`);
    this.timestamps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.qualities = new Uint8Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Adds a reading. Returns false, keeping nothing, for an exact repeat of a stored point (OPC UA
   * re-sends current values after a reconnect) or for one older than everything a full ring holds.
   */
  add(sample: Sample): boolean {
    const position = this.insertionPosition(sample.ts);
    if (position > 0) {
      const before = this.physical(position - 1);
      if (this.timestamps[before] === sample.ts && Object.is(this.values[before], sample.value)) return false;
    }
    if (this.count === this.capacity) {
      if (position === 0) return false;
      this.start = (this.start + 1) % this.capacity;
      this.count -= 1;
      this.place(position - 1, sample);
    } else {
      this.place(position, sample);
    }
    return true;
  }

  newest(): HistoryPoint | undefined {
    return this.count === 0 ? undefined : this.point(this.count - 1);
  }

  /** Points with from <= ts <= to, oldest first. */
  range(from = -Infinity, to = Infinity): HistoryPoint[] {
    const points: HistoryPoint[] = [];
    for (let i = this.insertionPosition(from, true); i < this.count; i++) {
      const point = this.point(i);
      if (point.ts > to) break;
      points.push(point);
    }
    return points;
  }

  private point(logical: number): HistoryPoint {
    const index = this.physical(logical);
    return {
      ts: this.timestamps[index]!,
      value: this.values[index]!,
      quality: QUALITY_CODES[this.qualities[index]!]!,
    };
  }

  private physical(logical: number): number {
    return (this.start + logical) % this.capacity;
  }

  /** First logical index whose ts is greater than `ts` (or >= with `inclusive`); appends are the fast path. */
  private insertionPosition(ts: number, inclusive = false): number {
    const newest = this.count === 0 ? -Infinity : this.timestamps[this.physical(this.count - 1)]!;
    if (ts > newest || (!inclusive && ts === newest)) return this.count;
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const midTs = this.timestamps[this.physical(mid)]!;
      if (midTs < ts || (!inclusive && midTs === ts)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Writes the sample at logical `position`, shifting later points one place towards the end. */
  private place(position: number, sample: Sample): void {
    for (let i = this.count; i > position; i--) {
      const to = this.physical(i);
      const from = this.physical(i - 1);
      this.timestamps[to] = this.timestamps[from]!;
      this.values[to] = this.values[from]!;
      this.qualities[to] = this.qualities[from]!;
    }
    const index = this.physical(position);
    this.timestamps[index] = sample.ts;
    this.values[index] = sample.value;
    this.qualities[index] = QUALITY_INDEX[sample.quality];
    this.count += 1;
  }
}
