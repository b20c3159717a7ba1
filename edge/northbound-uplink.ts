import type { Logger } from '../gateway/logger.js';
import type { TelemetryBus } from '../gateway/telemetry-bus.js';
import { MqttUplink, type UplinkHealth } from '../gateway/uplink/mqtt-uplink.js';
import { EMBEDDED_BROKER, type UplinkSettings } from '../gateway/uplink/uplink-config.js';
import type { UplinkAssetDescription, UplinkFinding } from '../gateway/uplink/uplink-records.js';
import type { AlertEngine } from './alerts/alert-engine.js';
import type { AssetConfig } from './config/config-schema.js';

export interface NorthboundOptions {
  readonly settings: UplinkSettings;
  readonly assets: Readonly<Record<string, AssetConfig>>;
  /** The embedded broker's URL, for `url: embedded`. */
  readonly embeddedBrokerUrl: string | null;
  readonly bus: Pick<TelemetryBus, 'subscribe'>;
  readonly alerts: Pick<AlertEngine, 'subscribe'>;
  readonly logger: Logger;
}

/**
 * The box's uplink to the plant's broker, fed from the telemetry bus (every batch, downsampled as
 * configured), every alert event, and the findings detection hands to `publishFinding`.
 */
export class NorthboundUplink {
  readonly #uplink: MqttUplink;
  readonly #unsubscribe: (() => void)[];

  private constructor(uplink: MqttUplink, unsubscribe: (() => void)[]) {
    this.#uplink = uplink;
    this.#unsubscribe = unsubscribe;
  }

  /**
   * Opens the buffer, subscribes to the bus and the alert events, starts connecting (and keeps trying; see
   * health()) without waiting for the broker, so an unreachable one does not delay the box. Rejects when a
   * TLS file cannot be read.
   */
  static async start(options: NorthboundOptions): Promise<NorthboundUplink> {
    const { settings } = options;
    if (settings.url === EMBEDDED_BROKER && options.embeddedBrokerUrl === null) {
      throw new Error('uplink.url is "embedded" but this box runs no embedded broker; add an embeddedBroker section or give the broker\'s URL');
    }
    const url = settings.url === EMBEDDED_BROKER ? (options.embeddedBrokerUrl as string) : settings.url;
    const uplink = new MqttUplink({ ...settings, url }, { logger: options.logger, assets: describeAssets(options.assets) });
    const unsubscribe = [options.bus.subscribe((batch) => uplink.publishTelemetry(batch)), options.alerts.subscribe((event) => uplink.publishAlertEvent(event))];
    try {
      await uplink.start({ awaitConnection: false });
    } catch (error) {
      for (const stop of unsubscribe) stop();
      await uplink.stop();
      throw error;
    }
    return new NorthboundUplink(uplink, unsubscribe);
  }

  publishFinding(finding: UplinkFinding): void {
    this.#uplink.publishFinding(finding);
  }

  health(): UplinkHealth {
    return this.#uplink.health();
  }

  /** Stops feeding, sends what is in flight (bounded wait), says goodbye; what is buffered stays in the file for the next start. */
  async stop(): Promise<void> {
    for (const stop of this.#unsubscribe.splice(0)) stop();
    await this.#uplink.stop();
  }
}

function describeAssets(assets: Readonly<Record<string, AssetConfig>>): Record<string, UplinkAssetDescription> {
  return Object.fromEntries(
    Object.entries(assets).map(([id, asset]) => [
      id,
      { ...(asset.line === undefined ? {} : { line: asset.line }), signals: Object.fromEntries(Object.entries(asset.signals).map(([signal, config]) => [signal, { unit: config.unit }])) },
    ]),
  );
}
