import type { SourceHealth } from '../../gateway/source.js';

interface Reading {
  readonly at: number;
  readonly samplesIn: ReadonlyMap<string, number>;
}

/** Samples per second of each source between the two latest readings, taken every `intervalMs` while started. */
export class SourceRates {
  private previous: Reading | undefined;
  private latest: Reading | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sources: () => readonly SourceHealth[],
    private readonly intervalMs = 5000,
  ) {}

  start(): void {
    this.read();
    this.timer = setInterval(() => this.read(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** 0 until two readings were taken. */
  rate(sourceId: string): number {
    const { previous, latest } = this;
    if (previous === undefined || latest === undefined) return 0;
    const seconds = Math.max((latest.at - previous.at) / 1000, 1e-3);
    return Math.max(0, ((latest.samplesIn.get(sourceId) ?? 0) - (previous.samplesIn.get(sourceId) ?? 0)) / seconds);
  }

  private read(): void {
    this.previous = this.latest;
    this.latest = { at: performance.now(), samplesIn: new Map(this.sources().map((source) => [source.id, source.samplesIn])) };
  }
}
