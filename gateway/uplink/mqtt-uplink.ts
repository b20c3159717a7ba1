import { silentLogger, type Logger } from '../logger.js';
import { readTlsOptions, withoutCredentials } from '../mqtt/mqtt-security-options.js';
import type { Sample } from '../sample.js';
import { JsonProtocol } from './json-protocol.js';
import type { ChannelName, MessageClass, OutboxMessage } from './message-class.js';
import { Outbox, type BufferHealth } from './outbox.js';
import { COMMAND_REJECT_REASONS } from './sparkplug-command.js';
import { alertMetrics, findingMetrics, telemetryMetrics, type StoredMetric } from './sparkplug-records.js';
import { SparkplugNode } from './sparkplug-node.js';
import { SparkplugProtocol, type SparkplugCommandCounts } from './sparkplug-protocol.js';
import { TelemetryDownsampler, type PointsByAsset, type UplinkPoint } from './telemetry-downsampler.js';
import { TopicTree } from './topic-tree.js';
import { UplinkChannel, type ChannelHealth } from './uplink-channel.js';
import type { UplinkSettings } from './uplink-config.js';
import type { UplinkAlertEvent, UplinkAssetDescription, UplinkFinding } from './uplink-records.js';

export interface MqttUplinkOptions {
  readonly logger?: Logger;
  /** The configuration's assets: lines for the topic tree, signals and units for the Sparkplug births. */
  readonly assets?: Readonly<Record<string, UplinkAssetDescription>>;
  /** Time of buffered messages and of their expiry; default Date.now. */
  readonly now?: () => number;
  /** How often a buffer file that failed is tried again (and expiry runs); default 5000 ms. */
  readonly bufferRetryMs?: number;
}

export const UPLINK_REJECT_REASONS = ['stopped', 'invalid', 'unserializable'] as const;
export type UplinkRejectReason = (typeof UPLINK_REJECT_REASONS)[number];

export interface UplinkHealth {
  readonly box: string;
  /** The broker URL without credentials. */
  readonly target: string;
  /** Every format's connection is up. */
  readonly connected: boolean;
  readonly channels: readonly ChannelHealth[];
  readonly buffer: BufferHealth;
  /** Messages accepted into the buffer since start, by class (one per format). */
  readonly accepted: Readonly<Record<MessageClass, number>>;
  /** Telemetry points committed to the buffer since start (once, whatever the number of formats). */
  readonly pointsBuffered: number;
  /** Points gathered for the next telemetry messages, not yet in the buffer (see telemetry.batchIntervalMs). */
  readonly pointsPending: number;
  /** Samples that did not go north as points of their own because of downsampling (not a loss). */
  readonly samplesDownsampled: number;
  /** Records refused before buffering: after stop(), missing fields, not serializable to JSON. */
  readonly rejected: Readonly<Record<UplinkRejectReason, number>>;
  readonly sparkplug: { readonly groupId: string; readonly edgeNodeId: string; readonly bdSeq: number; readonly commands: SparkplugCommandCounts } | null;
}

const WINDOW_TICK_MS = 250;
const REJECT_LOG_INTERVAL_MS = 10_000;

/**
 * The northbound uplink: telemetry (optionally downsampled), findings and alert transitions to the
 * plant's broker, as JSON on a topic tree and/or as Sparkplug B, through a store-and-forward buffer on
 * disk. Every publish* call commits its messages to the buffer file before it returns; a message leaves
 * the buffer only once the broker acknowledged it. The publish* methods never throw and never wait for
 * the network: they are meant to be called from the live path (one call per bus batch, finding or alert
 * event).
 */
export class MqttUplink {
  readonly #settings: UplinkSettings;
  /** The broker's URL as logs and health show it. */
  readonly #target: string;
  readonly #logger: Logger;
  readonly #outbox: Outbox;
  readonly #topics: TopicTree;
  readonly #downsampler: TelemetryDownsampler;
  readonly #node: SparkplugNode | null;
  readonly #accepted: Record<MessageClass, number> = { alert: 0, finding: 0, telemetry: 0 };
  readonly #rejected = Object.fromEntries(UPLINK_REJECT_REASONS.map((reason) => [reason, 0])) as Record<UplinkRejectReason, number>;
  #channels: UplinkChannel[] = [];
  #sparkplugProtocol: SparkplugProtocol | null = null;
  #windowTimer: NodeJS.Timeout | null = null;
  #pending: PointsByAsset = new Map();
  #pendingCount = 0;
  #pointsBuffered = 0;
  #batchTimer: NodeJS.Timeout | null = null;
  #stopped = false;
  #rejectLoggedAt = Number.NEGATIVE_INFINITY;

  /** Opens the buffer (a file that cannot be opened is logged and replaced by memory, see health()). */
  constructor(settings: UplinkSettings, options: MqttUplinkOptions = {}) {
    this.#settings = settings;
    this.#target = withoutCredentials(settings.url) ?? '<invalid url>';
    this.#logger = (options.logger ?? silentLogger).child({ part: 'uplink' });
    this.#outbox = new Outbox({
      ...settings.buffer,
      logger: this.#logger,
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.bufferRetryMs === undefined ? {} : { retryMs: options.bufferRetryMs }),
    });
    this.#topics = new TopicTree(settings.topicPrefix, settings.site, settings.boxId);
    this.#downsampler = new TelemetryDownsampler(settings.telemetry);
    this.#node = settings.sparkplug === null ? null : new SparkplugNode(settings.sparkplug, settings.boxId);
    this.#outbox.onAppend((channel, cls) => this.#channel(channel)?.wake(cls));
    if (options.assets !== undefined) this.describeAssets(options.assets);
  }

  /** Lines for the topic tree and the signals each asset's DBIRTH declares; call before start() when possible. */
  describeAssets(assets: Readonly<Record<string, UplinkAssetDescription>>): void {
    for (const [asset, description] of Object.entries(assets)) {
      this.#topics.setLine(asset, description.line);
      this.#node?.declareDevice(asset, description.signals ?? {});
    }
  }

  /**
   * Connects every format. Resolves once each is connected or has failed its first attempt (they keep
   * trying on their own; see health()), or with `awaitConnection: false` as soon as the attempts are under
   * way (a broker that drops packets would otherwise hold the caller for the 10 s connect timeout).
   * Rejects only when a TLS file cannot be read.
   */
  async start(options: { readonly awaitConnection?: boolean } = {}): Promise<void> {
    if (this.#channels.length > 0 || this.#stopped) throw new Error('the uplink is already started (or stopped)');
    const settings = this.#settings;
    const tls = await readTlsOptions(settings.tls, 'uplink');
    const channel = {
      url: settings.url,
      auth: settings.auth,
      tls,
      keepaliveSeconds: settings.keepaliveSeconds,
      maxReconnectDelayMs: settings.maxReconnectDelayMs,
      ...settings.publish,
    };
    if (settings.json) {
      this.#channels.push(new UplinkChannel(new JsonProtocol(settings.clientId, this.#topics, settings.boxId, settings.site), this.#outbox, channel, this.#target, this.#logger));
    }
    if (this.#node !== null && settings.sparkplug !== null) {
      this.#sparkplugProtocol = new SparkplugProtocol(settings.sparkplug.clientId, this.#node, settings.sparkplug.qos, this.#logger);
      this.#channels.push(new UplinkChannel(this.#sparkplugProtocol, this.#outbox, channel, this.#target, this.#logger));
    }
    if (this.#downsampler.hasPeriods) {
      this.#windowTimer = setInterval(() => this.#gather(this.#downsampler.closeDue(this.#outbox.now())), WINDOW_TICK_MS).unref();
    }
    this.#logger.info({ target: this.#target, formats: this.#channels.map((c) => c.channel), buffer: this.#outbox.file }, 'uplink starting');
    const connecting = Promise.all(this.#channels.map((c) => c.start()));
    if (options.awaitConnection !== false) await connecting;
  }

  /** Buffers open downsampling windows, sends what is in flight (bounded wait), says goodbye, closes the buffer. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    if (this.#windowTimer !== null) clearInterval(this.#windowTimer);
    this.#gather(this.#downsampler.closeAll());
    this.#flushTelemetry();
    this.#stopped = true;
    await Promise.all(this.#channels.map((channel) => channel.stop()));
    this.#outbox.close();
  }

  /**
   * One call per bus batch. The points are gathered for telemetry.batchIntervalMs (one message per
   * asset and interval), or until maxSamplesPerMessage are waiting, then committed to the buffer.
   */
  publishTelemetry(batch: readonly Sample[]): void {
    if (!this.#settings.telemetry.publish || batch.length === 0) return;
    if (this.#stopped) {
      this.#reject('stopped', `${batch.length} sample(s) arrived after the uplink stopped`);
      return;
    }
    this.#gather(this.#downsampler.add(batch, this.#outbox.now()));
  }

  /** One call per finding of the detection engine. */
  publishFinding(finding: UplinkFinding): void {
    if (this.#settings.findings === 'none' || (this.#settings.findings === 'anomalous' && finding.anomalous !== true)) return;
    if (this.#stopped) return this.#reject('stopped', `finding of ${String(finding.asset)} arrived after the uplink stopped`);
    if (typeof finding.asset !== 'string' || finding.asset === '' || typeof finding.model !== 'string' || !Number.isFinite(finding.ts)) {
      return this.#reject('invalid', 'a finding needs a non-empty asset, a model and a finite ts');
    }
    const json = this.#json(finding);
    if (json === undefined) return;
    this.#append('finding', finding.asset, (id, seq) => this.#envelope(id, seq, finding.asset, 'finding', json), () => findingMetrics(finding));
  }

  /** One call per alert event (every lifecycle transition, flood start and end). */
  publishAlertEvent(event: UplinkAlertEvent): void {
    if (this.#stopped) return this.#reject('stopped', `alert event ${String(event.id)} arrived after the uplink stopped`);
    if (typeof event.id !== 'number' || !Number.isFinite(event.ts) || !(event.asset === null || (typeof event.asset === 'string' && event.asset !== ''))) {
      return this.#reject('invalid', 'an alert event needs a numeric id, a finite ts and an asset (or null)');
    }
    const json = this.#json(event);
    if (json === undefined) return;
    this.#append('alert', event.asset, (id, seq) => this.#envelope(id, seq, event.asset, 'event', json), () => alertMetrics(event, json));
  }

  health(): UplinkHealth {
    const channels = this.#channels.map((channel) => channel.health());
    const node = this.#node;
    return {
      box: this.#settings.boxId,
      target: this.#target,
      connected: channels.length > 0 && channels.every((channel) => channel.state === 'connected'),
      channels,
      buffer: this.#outbox.health(),
      accepted: { ...this.#accepted },
      pointsBuffered: this.#pointsBuffered,
      pointsPending: this.#pendingCount,
      samplesDownsampled: this.#downsampler.skipped,
      rejected: { ...this.#rejected },
      sparkplug:
        node === null
          ? null
          : {
              groupId: node.groupId,
              edgeNodeId: node.edgeNodeId,
              bdSeq: node.bdSeq,
              commands: this.#sparkplugProtocol?.commands() ?? { rebirths: 0, rejected: noCommandRejects() },
            },
    };
  }

  #gather(points: PointsByAsset): void {
    if (points.size === 0) return;
    const { batchIntervalMs, maxSamplesPerMessage } = this.#settings.telemetry;
    if (batchIntervalMs === 0) {
      this.#appendPoints(points);
      return;
    }
    for (const [asset, list] of points) {
      const pending = this.#pending.get(asset);
      if (pending === undefined) this.#pending.set(asset, list);
      else for (const point of list) pending.push(point);
      this.#pendingCount += list.length;
    }
    if (this.#pendingCount >= maxSamplesPerMessage) this.#flushTelemetry();
    else this.#batchTimer ??= setTimeout(() => this.#flushTelemetry(), batchIntervalMs);
  }

  #flushTelemetry(): void {
    if (this.#batchTimer !== null) clearTimeout(this.#batchTimer);
    this.#batchTimer = null;
    const pending = this.#pending;
    this.#pending = new Map();
    this.#pendingCount = 0;
    this.#appendPoints(pending);
  }

  #appendPoints(points: PointsByAsset): void {
    if (points.size === 0) return;
    const max = this.#settings.telemetry.maxSamplesPerMessage;
    const messages: OutboxMessage[] = [];
    const created = this.#outbox.now();
    for (const [asset, list] of points) {
      for (let i = 0; i < list.length; i += max) {
        const chunk = list.slice(i, i + max);
        if (this.#settings.json) {
          const seq = this.#outbox.nextSeq();
          const body = { id: this.#id(seq), box: this.#settings.boxId, seq, asset, samples: chunk.map(jsonSample) };
          messages.push({ seq, channel: 'json', cls: 'telemetry', created, topic: this.#topics.assetTopic(asset, 'telemetry'), payload: Buffer.from(JSON.stringify(body)) });
        }
        if (this.#node !== null) {
          const seq = this.#outbox.nextSeq();
          messages.push({ seq, channel: 'sparkplug', cls: 'telemetry', created, topic: asset, payload: Buffer.from(JSON.stringify(telemetryMetrics(chunk))) });
        }
      }
    }
    this.#accepted.telemetry += messages.length;
    for (const list of points.values()) this.#pointsBuffered += list.length;
    this.#outbox.append(messages);
  }

  #append(cls: MessageClass, asset: string | null, jsonPayload: (id: string, seq: number) => string, metrics: () => StoredMetric[]): void {
    const messages: OutboxMessage[] = [];
    const created = this.#outbox.now();
    if (this.#settings.json) {
      const seq = this.#outbox.nextSeq();
      const topic = asset === null ? this.#topics.boxAlertsTopic() : this.#topics.assetTopic(asset, cls);
      messages.push({ seq, channel: 'json', cls, created, topic, payload: Buffer.from(jsonPayload(this.#id(seq), seq)) });
    }
    if (this.#node !== null) {
      const seq = this.#outbox.nextSeq();
      messages.push({ seq, channel: 'sparkplug', cls, created, topic: asset ?? '', payload: Buffer.from(JSON.stringify(metrics())) });
    }
    this.#accepted[cls] += messages.length;
    this.#outbox.append(messages);
  }

  /** {"id", "box", "seq", "asset", <key>: record}, with the record already serialized once. */
  #envelope(id: string, seq: number, asset: string | null, key: 'finding' | 'event', json: string): string {
    return `{"id":${JSON.stringify(id)},"box":${JSON.stringify(this.#settings.boxId)},"seq":${seq},"asset":${JSON.stringify(asset)},"${key}":${json}}`;
  }

  #id(seq: number): string {
    return `${this.#settings.boxId}:${seq}`;
  }

  #channel(name: ChannelName): UplinkChannel | undefined {
    return this.#channels.find((channel) => channel.channel === name);
  }

  #json(record: unknown): string | undefined {
    try {
      return JSON.stringify(record);
    } catch (error) {
      this.#reject('unserializable', `a record cannot be written as JSON: ${(error as Error).message}`);
      return undefined;
    }
  }

  #reject(reason: UplinkRejectReason, detail: string): void {
    this.#rejected[reason] += 1;
    const now = Date.now();
    if (now - this.#rejectLoggedAt < REJECT_LOG_INTERVAL_MS) return;
    this.#rejectLoggedAt = now;
    this.#logger.error({ reason, rejected: this.#rejected }, `uplink refused a record: ${detail} (further refusals are counted in health() and logged at most every ${REJECT_LOG_INTERVAL_MS / 1000} s)`);
  }
}

function jsonSample(point: UplinkPoint): object {
  return {
    signal: point.signal,
    ts: point.ts,
    value: Number.isFinite(point.value) ? point.value : null,
    quality: point.quality,
    ...(point.window === undefined ? {} : { window: point.window }),
  };
}

function noCommandRejects(): SparkplugCommandCounts['rejected'] {
  return Object.fromEntries(COMMAND_REJECT_REASONS.map((reason) => [reason, 0])) as SparkplugCommandCounts['rejected'];
}
