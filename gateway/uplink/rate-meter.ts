/** Events per second over the last few seconds, from per-second buckets. */
export class RateMeter {
  readonly #buckets: number[];
  #second = 0;

  constructor(readonly windowSeconds = 5) {
    this.#buckets = new Array<number>(windowSeconds + 1).fill(0);
  }

  add(count: number, nowMs: number): void {
    this.#advance(nowMs);
    this.#buckets[this.#second % this.#buckets.length]! += count;
  }

  /** Mean over the last `windowSeconds` complete seconds. */
  perSecond(nowMs: number): number {
    this.#advance(nowMs);
    let sum = 0;
    for (let i = 1; i <= this.windowSeconds; i++) sum += this.#buckets[(this.#second - i + this.#buckets.length * 2) % this.#buckets.length]!;
    return sum / this.windowSeconds;
  }

  #advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (second <= this.#second) return;
    const steps = Math.min(second - this.#second, this.#buckets.length);
    for (let i = 1; i <= steps; i++) this.#buckets[(this.#second + i) % this.#buckets.length] = 0;
    this.#second = second;
  }
}
