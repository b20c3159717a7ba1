/**
 * The share of the counted time in the last `windowSeconds` during which a condition held (a
 * compressor's loaded share of its running time), kept in one-second buckets so its memory and cost
 * stay fixed however long it runs.
 */
export class RollingFraction {
  readonly #heldSeconds: Float64Array;
  readonly #countedSeconds: Float64Array;
  #bucket = 0;
  /** Seconds of the window already spent in the current bucket. */
  #bucketElapsed = 0;
  #held = 0;
  #counted = 0;

  constructor(windowSeconds: number) {
    const buckets = Math.max(1, Math.round(windowSeconds));
    this.#heldSeconds = new Float64Array(buckets);
    this.#countedSeconds = new Float64Array(buckets);
  }

  /** Share 0..1 of the counted time in the window during which the condition held; 0 when nothing was counted. */
  get fraction(): number {
    return this.#counted > 1e-9 ? Math.min(1, Math.max(0, this.#held / this.#counted)) : 0;
  }

  /** Records dt seconds; only `counted` time enters the share, but all time moves the window on. */
  record(dtSeconds: number, counted: boolean, held: boolean): void {
    let remaining = dtSeconds;
    while (remaining > 0) {
      const portion = Math.min(remaining, 1 - this.#bucketElapsed);
      if (counted) {
        this.#countedSeconds[this.#bucket] = (this.#countedSeconds[this.#bucket] ?? 0) + portion;
        this.#counted += portion;
        if (held) {
          this.#heldSeconds[this.#bucket] = (this.#heldSeconds[this.#bucket] ?? 0) + portion;
          this.#held += portion;
        }
      }
      this.#bucketElapsed += portion;
      remaining -= portion;
      if (this.#bucketElapsed >= 1 - 1e-9) this.#advanceBucket();
    }
  }

  #advanceBucket(): void {
    this.#bucketElapsed = 0;
    this.#bucket = (this.#bucket + 1) % this.#heldSeconds.length;
    this.#held -= this.#heldSeconds[this.#bucket] ?? 0;
    this.#counted -= this.#countedSeconds[this.#bucket] ?? 0;
    this.#heldSeconds[this.#bucket] = 0;
    this.#countedSeconds[this.#bucket] = 0;
  }
}
