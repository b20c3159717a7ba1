import type { SourceHealth } from '../../gateway/source.js';
import type { TelemetryBus } from '../../gateway/telemetry-bus.js';
import type { UplinkHealth } from '../../gateway/uplink/mqtt-uplink.js';
import type { AlertEngine } from '../alerts/alert-engine.js';
import type { AssetConfig, SignalConfig } from '../config/config-schema.js';
import type { PlantOverview } from '../plant-overview.js';
import type { AuditLog } from '../store/audit-log.js';
import type { StorageHealth } from '../store/box-database.js';

/** One anomaly model as the console lists it; detection fills in what it knows beyond these fields. */
export interface ModelSummary {
  readonly id: string;
  readonly asset: string | null;
  readonly kind: string;
  /** active, collecting (first-start calibration), failed (with `error`), unused: edge/detect/live/live-detection.ts. */
  readonly state: string;
  readonly [more: string]: unknown;
}

/** What the console reads and acts on: the parts of the box, handed over by the composition root. */
export interface ConsoleContext {
  readonly site: string;
  readonly assets: Readonly<Record<string, AssetConfig>>;
  /** An asset without data this long counts as not reporting. */
  readonly silentAfterMs: number;
  readonly bus: TelemetryBus;
  readonly alerts: AlertEngine;
  readonly audit: AuditLog;
  readonly overview: Pick<PlantOverview, 'silentAssets'>;
  readonly sources: () => readonly SourceHealth[];
  readonly storage: () => StorageHealth;
  /** The embedded MQTT broker's URL, or null when the box uses an outside broker. */
  readonly brokerUrl: () => string | null;
  /** Messages the embedded broker refused (a topic it cannot deliver safely); absent without one. */
  readonly brokerRefusedPublishes?: () => number;
  /** Anomaly models, one entry per model and asset it serves (plus collecting, failed and unused ones). */
  readonly models: () => readonly ModelSummary[];
  /** The uplink to the plant's broker; absent or null when the box has none. */
  readonly uplink?: () => UplinkHealth | null;
  /**
   * Signals the box derives for an asset, listed, charted and streamed like configured ones: detection's
   * `anomaly_score` (its threshold as the high limit). None when absent.
   */
  readonly derivedSignals?: (asset: string) => Readonly<Record<string, SignalConfig>>;
}
