import path from 'node:path';
import type { Logger } from '../gateway/logger.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../gateway/mqtt/embedded-broker.js';
import { MqttSource } from '../gateway/mqtt/mqtt-source.js';
import { OpcuaSource } from '../gateway/opcua/opcua-source.js';
import type { Source } from '../gateway/source.js';
import { TelemetryBus } from '../gateway/telemetry-bus.js';
import { AlertEngine } from './alerts/alert-engine.js';
import { logAlertEvents } from './alerts/alert-event-log.js';
import { conversationsSchema } from './assistant/conversation/conversation-store.js';
import { createAssistant } from './assistant/create-assistant.js';
import type { MillwrightAssistant } from './assistant/millwright-assistant.js';
import { alertsSchema } from './alerts/alert-store.js';
import type { MillwrightConfig, SignalConfig, SourceConfig } from './config/config-schema.js';
import type { ConsoleContext } from './console/console-context.js';
import { ConsoleServer } from './console/console-server.js';
import { LiveDetection, SCORE_SIGNAL } from './detect/live/live-detection.js';
import { RuleEngine } from './detect/rules/rule-engine.js';
import { NorthboundUplink } from './northbound-uplink.js';
import { AssetHistory, assetHistorySchema } from './store/asset-history.js';
import { AuditLog, auditSchema } from './store/audit-log.js';
import { openBoxDatabase, type BoxDatabase } from './store/box-database.js';
import { workOrdersSchema } from './store/work-orders.js';
import { SHIPPED_MODELS_FOLDER } from './package-paths.js';
import { PlantOverview } from './plant-overview.js';
import { startStatusReporter } from './status-reporter.js';

export interface Endpoint {
  readonly name: string;
  readonly url: string;
}

const RULE_CHECK_INTERVAL_MS = 1000;

/**
 * The composition root: builds the box's parts from a configuration and wires them together.
 * Start-up is in two steps so a demo can start its simulators between them: `create` brings up the
 * infrastructure (embedded broker, storage, telemetry bus, alerts), `startSources` connects to the plant.
 */
export class EdgeRuntime {
  readonly bus: TelemetryBus;
  readonly sources: readonly Source[];
  readonly overview: PlantOverview;
  readonly audit: AuditLog;
  readonly alerts: AlertEngine;
  readonly rules: RuleEngine;
  readonly history: AssetHistory;
  private detectionPart: LiveDetection | null = null;
  private northbound: NorthboundUplink | null = null;
  private consoleServer: ConsoleServer | null = null;
  private assistantPart: MillwrightAssistant | null = null;
  private assistantStarting: Promise<void> = Promise.resolve();
  private stopStatusReporter: () => void = () => {};
  private ruleClock: NodeJS.Timeout | undefined;

  private constructor(
    readonly config: MillwrightConfig,
    private readonly logger: Logger,
    private readonly broker: EmbeddedBroker | null,
    readonly database: BoxDatabase,
  ) {
    this.bus = new TelemetryBus({ historyPerSignal: config.historyPerSignal, logger: logger.child({ part: 'bus' }) });
    this.sources = config.sources.map((source) => this.createSource(source));
    this.overview = new PlantOverview(this.bus, config.assets);
    this.audit = new AuditLog(database);
    this.alerts = new AlertEngine({ database, policy: config.alerts, audit: this.audit, logger: logger.child({ part: 'alerts' }) });
    this.rules = new RuleEngine(config.assets, (reports) => this.alerts.report(reports), { silentAfterSeconds: config.silentAfterSeconds });
    this.history = new AssetHistory(database, {
      retentionMs: config.history.retentionDays * 86_400_000,
      maxBytes: config.history.maxMegabytes * 1024 * 1024,
      logger: logger.child({ part: 'history' }),
    });
    this.history.describeAssets(Object.fromEntries(Object.entries(config.assets).map(([id, asset]) => [id, { kind: asset.kind, ...(asset.running ? { running: asset.running } : {}) }])));
    this.bus.subscribe((batch) => this.history.add(batch));
    this.bus.subscribe((batch) => this.rules.onBatch(batch));
    logAlertEvents(this.alerts, logger.child({ part: 'alerts' }));
  }

  static async create(config: MillwrightConfig, logger: Logger): Promise<EdgeRuntime> {
    const database = openBoxDatabase({ dataDir: config.dataDir, schemas: [alertsSchema, auditSchema, assetHistorySchema, workOrdersSchema, conversationsSchema], logger: logger.child({ part: 'store' }) });
    let broker: EmbeddedBroker | null = null;
    let runtime: EdgeRuntime | undefined;
    try {
      broker = config.embeddedBroker ? await startEmbeddedBroker({ ...config.embeddedBroker, logger: logger.child({ part: 'broker' }) }) : null;
      runtime = new EdgeRuntime(config, logger, broker, database);
      runtime.alerts.start();
      runtime.history.start();
      await runtime.startUplink();
      await runtime.startDetection();
      if (config.console) {
        runtime.consoleServer = await ConsoleServer.create({ settings: config.console, context: runtime.consoleContext(), logger });
        await runtime.consoleServer.start();
      }
      return runtime;
    } catch (error) {
      await runtime?.consoleServer?.stop();
      await runtime?.detectionPart?.stop();
      await runtime?.northbound?.stop();
      runtime?.history.stop();
      runtime?.alerts.stop();
      runtime?.overview.close();
      await broker?.stop();
      database.close();
      throw error;
    }
  }

  /** The operator console, when the configuration has a console section; listening once create() resolved. */
  get console(): ConsoleServer | null {
    return this.consoleServer;
  }

  /** Anomaly detection: models, bindings, first-start calibrations (null until create() resolved). */
  get detection(): LiveDetection | null {
    return this.detectionPart;
  }

  /** The uplink to the plant's broker, when the configuration has an uplink section (null until create() resolved). */
  get uplink(): NorthboundUplink | null {
    return this.northbound;
  }

  /** The assistant, when the configuration has a knowledge section: it starts with startSources() and is here once it has indexed the manuals (see assistantReady). */
  get assistant(): MillwrightAssistant | null {
    return this.assistantPart;
  }

  /** Resolves when the assistant has started (null: none configured, or it failed to start, which is logged). */
  async assistantReady(): Promise<MillwrightAssistant | null> {
    await this.assistantStarting;
    return this.assistantPart;
  }

  /** URL of the embedded MQTT broker, when the configuration runs one. */
  get brokerUrl(): string | null {
    return this.broker?.url ?? null;
  }

  /** Resolves once every source runs; sources that cannot reach their server keep trying on their own. */
  async startSources(): Promise<void> {
    const publish = (batch: Parameters<TelemetryBus['publish']>[0]) => this.bus.publish(batch);
    await Promise.all(this.sources.map((source) => source.start(publish)));
    this.ruleClock = setInterval(() => this.rules.check(), RULE_CHECK_INTERVAL_MS);
    const assetCount = Object.keys(this.config.assets).length;
    this.stopStatusReporter = startStatusReporter(this.sources, this.overview, assetCount, this.config.statusIntervalSeconds, this.logger.child({ part: 'status' }));
    // indexing the manuals takes seconds of CPU on a small box: it starts once the plant is connected and runs beside it
    this.assistantStarting = this.startAssistant();
  }

  endpoints(): Endpoint[] {
    const endpoints: Endpoint[] = [];
    if (this.broker) endpoints.push({ name: 'MQTT broker (embedded)', url: this.broker.url });
    for (const source of this.sources) {
      const health = source.health();
      endpoints.push({ name: `source ${source.id} (${health.kind}) reads`, url: health.target });
    }
    const uplink = this.northbound?.health();
    if (uplink) endpoints.push({ name: `uplink (${uplink.channels.map((channel) => channel.format).join(', ')}) publishes to`, url: uplink.target });
    if (this.console) endpoints.push({ name: 'operator console', url: this.console.url }); // last: the line people open
    return endpoints;
  }

  async stop(): Promise<void> {
    await this.consoleServer?.stop();
    await this.assistantStarting;
    await this.assistantPart?.close();
    this.stopStatusReporter();
    clearInterval(this.ruleClock);
    this.overview.close();
    const results = await Promise.allSettled(this.sources.map((source) => source.stop()));
    for (const result of results) {
      if (result.status === 'rejected') this.logger.warn({ err: result.reason }, 'a source did not stop cleanly');
    }
    await this.detectionPart?.stop();
    await this.northbound?.stop();
    await this.broker?.stop();
    this.history.stop();
    this.alerts.stop();
    this.database.close();
  }

  private async startDetection(): Promise<void> {
    const { config, bus } = this;
    const detection = await LiveDetection.start({
      assets: config.assets,
      settings: config.detection,
      shippedFolder: config.detection.shippedModels ? SHIPPED_MODELS_FOLDER : null,
      boxFolder: path.join(config.dataDir, 'models'),
      report: (reports) => this.alerts.report(reports),
      publish: (samples) => bus.publish(samples),
      onFinding: (finding) => this.northbound?.publishFinding(finding),
      latestValue: (asset, signal) => bus.latest(asset, signal)?.value,
      logger: this.logger.child({ part: 'detection' }),
    });
    this.detectionPart = detection;
    bus.subscribe((batch) => detection.push(batch));
  }

  private async startUplink(): Promise<void> {
    const settings = this.config.uplink;
    if (settings === null) return;
    this.northbound = await NorthboundUplink.start({
      settings,
      assets: this.config.assets,
      embeddedBrokerUrl: this.brokerUrl,
      bus: this.bus,
      alerts: this.alerts,
      logger: this.logger,
    });
  }

  /** Never throws: a box whose assistant cannot start (manuals folder missing, model not loadable) runs without one. */
  private async startAssistant(): Promise<void> {
    const part = this.config.assistant;
    if (part === null) return;
    try {
      this.assistantPart = await createAssistant({
        ...part,
        site: this.config.site,
        assets: this.config.assets,
        bus: this.bus,
        alerts: this.alerts,
        history: this.history,
        detection: this.detectionPart,
        database: this.database,
        audit: this.audit,
        logger: this.logger.child({ part: 'assistant' }),
      });
      this.consoleServer?.attachAssistant(this.assistantPart);
    } catch (error) {
      this.logger.error({ err: error }, `the assistant did not start, the box runs without it: ${(error as Error).message}`);
    }
  }

  private consoleContext(): ConsoleContext {
    return {
      site: this.config.site,
      assets: this.config.assets,
      silentAfterMs: this.config.silentAfterSeconds * 1000,
      bus: this.bus,
      alerts: this.alerts,
      audit: this.audit,
      overview: this.overview,
      sources: () => this.sources.map((source) => source.health()),
      storage: () => this.database.health(),
      brokerUrl: () => this.brokerUrl,
      brokerRefusedPublishes: () => this.broker?.refusedPublishes() ?? 0,
      models: () => this.detectionPart?.models() ?? [],
      uplink: () => this.northbound?.health() ?? null,
      derivedSignals: (asset): Record<string, SignalConfig> => {
        const score = this.detectionPart?.scoreSignals().find((candidate) => candidate.asset === asset);
        if (!score) return {};
        return { [SCORE_SIGNAL]: { unit: '', description: `anomaly score of model ${score.model}: above ${score.threshold.toPrecision(4)} the asset deviates from its normal behaviour`, limits: { high: score.threshold } } };
      },
    };
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
