import type { Point } from '../api-types.js';

export interface LatestValue {
  readonly point: Point;
  /** When the page received it (its own clock). */
  readonly receivedAt: number;
}

export type ValueBatch = ReadonlyMap<string, readonly Point[]>;

/** The newest point of every signal the page has heard of; listeners get every batch of new points. */
export class LiveValues {
  private readonly latest = new Map<string, LatestValue>();
  private readonly listeners = new Set<(batch: ValueBatch) => void>();

  /** A `values` message arrived, or the latest values of GET /api/assets; points older than those held are ignored. */
  ingest(values: Readonly<Record<string, readonly Point[]>>, receivedAt: number): void {
    const batch = new Map<string, readonly Point[]>();
    for (const [key, points] of Object.entries(values)) {
      const newest = points.at(-1);
      if (newest === undefined) continue;
      const held = this.latest.get(key);
      if (held !== undefined && held.point[0] >= newest[0]) continue;
      this.latest.set(key, { point: newest, receivedAt });
      batch.set(key, points);
    }
    if (batch.size === 0) return;
    for (const listener of [...this.listeners]) listener(batch);
  }

  get(key: string): LatestValue | undefined {
    return this.latest.get(key);
  }

  value(key: string): number | null | undefined {
    return this.latest.get(key)?.point[1];
  }

  subscribe(listener: (batch: ValueBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
