import type { FloatArray } from './row-detector.js';

/**
 * The most recent `cap` feature vectors, kept feature by feature (one contiguous run per feature) so
 * that a row's references are copied into the batch's [F, K] block with one `set` per feature. Twice
 * the cap is allocated and the live part is moved to the front when the end is reached, so appends
 * stay O(F) on average.
 */
export class ReferenceMemory {
  private readonly columns: FloatArray[];
  private start = 0;
  private size = 0;

  constructor(
    features: number,
    readonly cap: number,
    elementType: 'float32' | 'float64',
  ) {
    this.columns = Array.from({ length: features }, () => (elementType === 'float32' ? new Float32Array(2 * cap) : new Float64Array(2 * cap)));
  }

  get count(): number {
    return this.size;
  }

  append(feature: ArrayLike<number>): void {
    if (this.size === this.cap) {
      this.start++;
      this.size--;
    }
    const capacity = 2 * this.cap;
    if (this.start + this.size + 1 > capacity) {
      for (const column of this.columns) column.copyWithin(0, this.start, this.start + this.size);
      this.start = 0;
    }
    const at = this.start + this.size;
    this.columns.forEach((column, f) => (column[at] = feature[f] as number));
    this.size++;
  }

  /**
   * Writes the entries as an [F, slots] block at `offset` (feature f's run starts at offset + f·slots),
   * padding each run after the last entry with copies of the first entry (which leaves the nearest unchanged).
   */
  copyTo(target: FloatArray, offset: number, slots: number): void {
    const { start, size } = this;
    this.columns.forEach((column, f) => {
      const run = offset + f * slots;
      target.set(column.subarray(start, start + size), run);
      if (size < slots) target.fill(column[start] as number, run + size, run + slots);
    });
  }
}
