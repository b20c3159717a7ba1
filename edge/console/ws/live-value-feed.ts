import type { Quality, Sample } from '../../../gateway/sample.js';
import type { TelemetryBus } from '../../../gateway/telemetry-bus.js';

/** [ts, value (null when the reading had none), quality], as sent in `values` messages. */
export type Point = [number, number | null, Quality];

interface Interest {
  readonly key: string;
  subscribers: number;
}

export function toPoint(ts: number, value: number, quality: Quality): Point {
  return [ts, Number.isNaN(value) ? null : value, quality];
}

/**
 * Collects, between two ticks, the points of every signal at least one client subscribed to; signals
 * nobody watches cost one map lookup per sample. Per signal and tick at most `maxPointsPerSignal` are
 * kept (the newest).
 */
export class LiveValueFeed {
  /** asset -> signal -> interest */
  private readonly interest = new Map<string, Map<string, Interest>>();
  private pending = new Map<string, Point[]>();
  private readonly unsubscribe: () => void;

  constructor(
    bus: TelemetryBus,
    private readonly maxPointsPerSignal: number,
  ) {
    this.unsubscribe = bus.subscribe((batch) => this.collect(batch));
  }

  retain(key: string): void {
    const [asset, signal] = splitKey(key);
    let signals = this.interest.get(asset);
    if (signals === undefined) {
      signals = new Map();
      this.interest.set(asset, signals);
    }
    const entry = signals.get(signal);
    if (entry) entry.subscribers += 1;
    else signals.set(signal, { key, subscribers: 1 });
  }

  release(key: string): void {
    const [asset, signal] = splitKey(key);
    const signals = this.interest.get(asset);
    const entry = signals?.get(signal);
    if (!signals || !entry) return;
    entry.subscribers -= 1;
    if (entry.subscribers > 0) return;
    signals.delete(signal);
    this.pending.delete(key);
    if (signals.size === 0) this.interest.delete(asset);
  }

  /** The points collected since the last call, by signal key, oldest first. */
  take(): Map<string, Point[]> {
    const taken = this.pending;
    this.pending = new Map();
    return taken;
  }

  close(): void {
    this.unsubscribe();
  }

  private collect(batch: readonly Sample[]): void {
    for (const sample of batch) {
      const entry = this.interest.get(sample.asset)?.get(sample.signal);
      if (entry === undefined) continue;
      let points = this.pending.get(entry.key);
      if (points === undefined) {
        points = [];
        this.pending.set(entry.key, points);
      } else if (points.length >= this.maxPointsPerSignal) {
        points.shift();
      }
      points.push(toPoint(sample.ts, sample.value, sample.quality));
    }
  }
}

export function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
