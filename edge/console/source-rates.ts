import type { SourceHealth } from '../../gateway/source.js';
import { sourceRates, type Snapshot } from '../status-reporter.js';

/** Samples per second of each source between the two latest readings, taken every `intervalMs` while started. */
export class SourceRates {
  private latest: Snapshot | undefined;
  private rates = new Map<string, number>();
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
    return this.rates.get(sourceId) ?? 0;
  }

  private read(): void {
    const current: Snapshot = { at: performance.now(), health: this.sources() };
    if (this.latest !== undefined) this.rates = new Map(sourceRates(this.latest, current).map((rate) => [rate.id, Math.max(0, rate.samplesPerSecond)]));
    this.latest = current;
  }
}
