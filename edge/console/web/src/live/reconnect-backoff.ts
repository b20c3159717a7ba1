/** Reconnection delays: 0.5 s doubling to 10 s, each with up to 30 % random jitter so clients do not return in step. */
export class ReconnectBackoff {
  private attempt = 0;

  constructor(
    private readonly firstMs = 500,
    private readonly maxMs = 10_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const base = Math.min(this.maxMs, this.firstMs * 2 ** this.attempt);
    this.attempt += 1;
    return Math.round(base * (1 - 0.3 * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
