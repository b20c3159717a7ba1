import path from 'node:path';
import type { Logger } from '../gateway/logger.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../gateway/mqtt/embedded-broker.js';
import { MqttSource } from '../gateway/mqtt/mqtt-source.js';
import { OpcuaSource } from '../gateway/opcua/opcua-source.js';
import type { Source } from '../gateway/source.js';
import { TelemetryBus } from '../gateway/telemetry-bus.js';
import type { MillwrightConfig, SourceConfig } from './config/config-schema.js';
import { PlantOverview } from './plant-overview.js';
import { startStatusReporter } from './status-reporter.js';

export interface Endpoint {
  readonly name: string;
  readonly url: string;
}

/**
 * The composition root: builds the box's parts from a configuration and wires them together.
 * Start-up is in two steps so a demo can start its simulators between them: `createEdge` brings up
 * the infrastructure (embedded broker, telemetry bus), `startSources` connects to the plant.
 */
export class EdgeRuntime {
  readonly bus: TelemetryBus;
  readonly sources: readonly Source[];
  readonly overview: PlantOverview;
  private stopStatusReporter: () => void = () => {};

  private constructor(
    readonly config: MillwrightConfig,
    private readonly logger: Logger,
    private readonly broker: EmbeddedBroker | null,
  ) {
    this.bus = new TelemetryBus({ historyPerSignal: config.historyPerSignal, logger: logger.child({ part: 'bus' }) });
    this.sources = config.sources.map((source) => this.createSource(source));
    this.overview = new PlantOverview(this.bus, config.assets);
  }

  static async create(config: MillwrightConfig, logger: Logger): Promise<EdgeRuntime> {
    const broker = config.embeddedBroker
      ? await startEmbeddedBroker({ ...config.embeddedBroker, logger: logger.child({ part: 'broker' }) })
      : null;
    try {
      return new EdgeRuntime(config, logger, broker);
    } catch (error) {
      await broker?.stop();
      throw error;
    }
  }

  /** URL of the embedded MQTT broker, when the configuration runs one. */
  get brokerUrl(): string | null {
    return this.broker?.url ?? null;
  }

  /** Resolves once every source runs; sources that cannot reach their server keep trying on their own. */
  async startSources(): Promise<void> {
    const publish = (batch: Parameters<TelemetryBus['publish']>[0]) => this.bus.publish(batch);
    await Promise.all(this.sources.map((source) => source.start(publish)));
    const assetCount = Object.keys(this.config.assets).length;
    this.stopStatusReporter = startStatusReporter(this.sources, this.overview, assetCount, this.config.statusIntervalSeconds, this.logger.child({ part: 'status' }));
  }

  endpoints(): Endpoint[] {
    const endpoints: Endpoint[] = [];
    if (this.broker) endpoints.push({ name: 'MQTT broker (embedded)', url: this.broker.url });
    for (const source of this.sources) {
      const health = source.health();
      endpoints.push({ name: `source ${source.id} (${health.kind}) reads`, url: health.target });
    }
    return endpoints;
  }

  async stop(): Promise<void> {
    this.stopStatusReporter();
    this.overview.close();
    const results = await Promise.allSettled(this.sources.map((source) => source.stop()));
    for (const result of results) {
      if (result.status === 'rejected') this.logger.warn({ err: result.reason }, 'a source did not stop cleanly');
    }
    await this.broker?.stop();
  }

  private createSource(config: SourceConfig): Source {
    const logger = this.logger; // each source labels its own lines with its id
    if (config.kind === 'opcua') {
      return new OpcuaSource(config, { logger, pkiFolder: config.certificateFolder ?? path.join(this.config.dataDir, 'pki', 'gateway') });
    }
    const assets = this.config.assets;
    return new MqttSource(config, {
      logger,
      knownSignal: (asset, signal) => assets[asset]?.signals[signal] !== undefined,
      ...(config.url === 'embedded' ? { brokerUrl: this.brokerUrl ?? undefined } : {}),
    });
  }
}
