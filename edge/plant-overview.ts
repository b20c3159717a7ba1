import type { TelemetryBus } from '../gateway/telemetry-bus.js';
import type { AssetConfig } from './config/config-schema.js';

export interface OutOfNormal {
  readonly asset: string;
  readonly signal: string;
  readonly value: number;
  readonly unit: string;
  readonly normal: readonly [number, number];
}

/**
 * What a person glancing at the log wants to know about the plant: which configured assets have gone
 * quiet, and which signals are outside the normal range the configuration gives them.
 */
export class PlantOverview {
  /** performance.now() of each asset's latest batch. */
  private readonly lastArrival = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly bus: TelemetryBus,
    private readonly assets: Readonly<Record<string, AssetConfig>>,
  ) {
    this.unsubscribe = bus.subscribe((batch) => {
      const now = performance.now();
      let previousAsset = '';
      for (const sample of batch) {
        if (sample.asset === previousAsset) continue; // batches come grouped by asset; skip the repeats cheaply
        previousAsset = sample.asset;
        this.lastArrival.set(sample.asset, now);
      }
    });
  }

  /** Configured assets with no data for `maxAgeMs`. */
  silentAssets(maxAgeMs: number): string[] {
    const now = performance.now();
    return Object.keys(this.assets).filter((asset) => now - (this.lastArrival.get(asset) ?? -Infinity) > maxAgeMs);
  }

  /** Signals whose latest good value lies outside their configured normal range. */
  outOfNormal(): OutOfNormal[] {
    const found: OutOfNormal[] = [];
    for (const [asset, { signals }] of Object.entries(this.assets)) {
      for (const [signal, { normal, unit }] of Object.entries(signals)) {
        const latest = normal && this.bus.latest(asset, signal);
        if (!normal || !latest || latest.quality === 'bad') continue;
        if (latest.value < normal[0] || latest.value > normal[1]) found.push({ asset, signal, value: latest.value, unit, normal });
      }
    }
    return found;
  }

  close(): void {
    this.unsubscribe();
  }
}
