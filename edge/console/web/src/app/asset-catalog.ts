import type { ApiClient } from '../api/api-client.js';
import type { Asset, SignalView } from '../api-types.js';
import { Emitter } from '../emitter.js';
import type { LiveValues } from '../live/live-values.js';

const REFRESH_MS = 5000;

/**
 * The plant as GET /api/assets describes it (machines, signals, units, ranges, reporting), refreshed
 * every few seconds; its latest values also seed the live values for signals nobody subscribed to.
 */
export class AssetCatalog {
  readonly changed = new Emitter<void>();
  private assetList: readonly Asset[] = [];
  private timer: number | undefined;
  private loadedOnce = false;
  private refreshedAt = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly values: LiveValues,
  ) {}

  get assets(): readonly Asset[] {
    return this.assetList;
  }

  get loaded(): boolean {
    return this.loadedOnce;
  }

  /** The last refresh succeeded recently: its `reporting` flags can be trusted. */
  get current(): boolean {
    return Date.now() - this.refreshedAt < 3 * REFRESH_MS;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = window.setInterval(() => void this.refresh().catch(() => undefined), REFRESH_MS);
  }

  stop(): void {
    window.clearInterval(this.timer);
  }

  asset(id: string): Asset | undefined {
    return this.assetList.find((asset) => asset.id === id);
  }

  signal(asset: string, signal: string): SignalView | undefined {
    return this.asset(asset)?.signals.find((s) => s.id === signal);
  }

  unitOf = (asset: string, signal: string): string => this.signal(asset, signal)?.unit ?? '';

  private async refresh(): Promise<void> {
    const assets = await this.api.assets();
    this.assetList = assets;
    this.loadedOnce = true;
    this.refreshedAt = Date.now();
    const latest: Record<string, [number, number | null, 'good' | 'uncertain' | 'bad'][]> = {};
    for (const asset of assets) for (const signal of asset.signals) if (signal.latest) latest[signal.key] = [[signal.latest.ts, signal.latest.value, signal.latest.quality]];
    this.values.ingest(latest, Date.now());
    this.changed.emit();
  }
}
