import type { OutboxMessage } from './message-class.js';
import { parseNodeCommand, REBIRTH_METRIC, type CommandTopics, type NodeCommand } from './sparkplug-command.js';
import { encodeSparkplug, type UMetric } from './sparkplug-codec.js';
import { ALERT_EVENT_METRIC, MESSAGE_ID_METRIC, type SparkplugMetricType, type StoredMetric } from './sparkplug-records.js';
import { topicLevel } from './topic-tree.js';
import type { SparkplugSettings } from './uplink-config.js';

export const NAMESPACE = 'spBv1.0';

/** OPC DA quality codes, the convention Sparkplug hosts read from a metric's "Quality" property. */
const QUALITY_CODE = { uncertain: 64, bad: 0 } as const;

export interface SparkplugPublish {
  readonly topic: string;
  readonly payload: Buffer;
}

interface MetricState {
  readonly alias: number;
  readonly type: SparkplugMetricType;
  readonly unit: string | undefined;
  value: number | boolean | string | null;
  ts: number | null;
}

interface DeviceState {
  readonly id: string;
  readonly metrics: Map<string, MetricState>;
  /** A DBIRTH (NBIRTH for the node) went out on the current connection with every metric now declared. */
  born: boolean;
}

/**
 * One Sparkplug B edge node: the box, with one device per asset. Keeps the metric aliases (unique over
 * the node and its devices, stable while the process runs), the message sequence number (0 on NBIRTH,
 * then +1 per message, 255 wraps to 0) and bdSeq (+1 per MQTT CONNECT, in the will's NDEATH and the
 * NBIRTH). Metrics a device had not declared get a DBIRTH of that device before their first DDATA.
 */
export class SparkplugNode {
  readonly groupId: string;
  readonly edgeNodeId: string;
  readonly commandTopics: CommandTopics;
  readonly #boxId: string;
  readonly #node: DeviceState = { id: '', metrics: new Map(), born: false };
  readonly #devices = new Map<string, DeviceState>();
  readonly #rebirthAlias: number;
  #nextAlias = 1;
  #seq = 0;
  #bdSeq = -1;

  constructor(settings: Pick<SparkplugSettings, 'groupId' | 'edgeNodeId'>, boxId: string) {
    this.groupId = topicLevel(settings.groupId);
    this.edgeNodeId = topicLevel(settings.edgeNodeId);
    this.#boxId = boxId;
    this.commandTopics = { ncmd: this.#topic('NCMD'), dcmdPrefix: `${NAMESPACE}/${this.groupId}/DCMD/${this.edgeNodeId}/` };
    this.#rebirthAlias = this.#declare(this.#node, REBIRTH_METRIC, 'Boolean', undefined).alias;
    this.#declare(this.#node, ALERT_EVENT_METRIC, 'String', undefined);
    this.#declare(this.#node, MESSAGE_ID_METRIC, 'String', undefined);
  }

  get rebirthAlias(): number {
    return this.#rebirthAlias;
  }

  get bdSeq(): number {
    return Math.max(0, this.#bdSeq);
  }

  /** Declares an asset's signals (Double metrics) so its DBIRTH lists them before any data. */
  declareDevice(asset: string, signals: Readonly<Record<string, { readonly unit?: string }>>): void {
    const device = this.#device(asset);
    for (const [signal, { unit }] of Object.entries(signals)) this.#declare(device, signal, 'Double', unit === '' ? undefined : unit);
  }

  /** Before every MQTT CONNECT: bdSeq moves on, and everything must be born again. */
  startConnection(): void {
    this.#bdSeq = (this.#bdSeq + 1) % 256;
    this.#node.born = false;
    for (const device of this.#devices.values()) device.born = false;
  }

  /** The NDEATH: the MQTT will of the connection (QoS 1, not retained), also published on a clean stop. */
  death(): SparkplugPublish {
    return { topic: this.#topic('NDEATH'), payload: encode({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'Int64', value: this.bdSeq }] }) };
  }

  /** NBIRTH (seq 0) and a DBIRTH for every device: after connecting, and when a host asks for a rebirth. */
  births(now: number): SparkplugPublish[] {
    this.#seq = 0;
    const nodeMetrics: UMetric[] = [{ name: 'bdSeq', type: 'Int64', value: this.bdSeq, timestamp: now }, ...birthMetrics(this.#node, now)];
    const out: SparkplugPublish[] = [{ topic: this.#topic('NBIRTH'), payload: encode({ timestamp: now, seq: 0, metrics: nodeMetrics }) }];
    this.#node.born = true;
    for (const device of this.#devices.values()) out.push(this.#deviceBirth(device, now));
    return out;
  }

  /**
   * The DDATA (NDATA for the node's own metrics) of a buffered message, preceded by the births it needs.
   * `historical` marks every metric isHistorical (it was buffered before this connection).
   * Throws when the buffered payload is not a list of metrics.
   */
  data(message: OutboxMessage, historical: boolean, now: number): SparkplugPublish[] {
    const metrics = JSON.parse(message.payload.toString('utf8')) as StoredMetric[];
    if (!Array.isArray(metrics)) throw new Error(`buffered Sparkplug message ${message.seq} is not a list of metrics`);
    const device = message.topic === '' ? this.#node : this.#device(message.topic);
    for (const metric of metrics) {
      if (!device.metrics.has(metric.name)) {
        this.#declare(device, metric.name, metric.type, undefined);
        device.born = false;
      }
    }
    const out: SparkplugPublish[] = [];
    if (!this.#node.born) out.push(...this.births(now));
    else if (!device.born) out.push(this.#deviceBirth(device, now));

    const wire: UMetric[] = [];
    for (const metric of metrics) {
      const state = device.metrics.get(metric.name)!;
      wire.push({
        alias: state.alias,
        type: state.type,
        value: metric.value,
        timestamp: metric.ts,
        ...(historical ? { isHistorical: true } : {}),
        ...(metric.quality === undefined ? {} : { properties: { Quality: { type: 'Int32', value: QUALITY_CODE[metric.quality] } } }),
      });
      state.value = metric.value;
      state.ts = metric.ts;
    }
    const messageId = device.metrics.get(MESSAGE_ID_METRIC) ?? this.#declare(device, MESSAGE_ID_METRIC, 'String', undefined);
    messageId.value = `${this.#boxId}:${message.seq}`;
    messageId.ts = now;
    wire.push({ alias: messageId.alias, type: 'String', value: messageId.value, timestamp: now });
    const verb = device === this.#node ? 'NDATA' : 'DDATA';
    out.push({ topic: this.#topic(verb, device.id), payload: encode({ timestamp: now, seq: this.#nextSeq(), metrics: wire }) });
    return out;
  }

  command(topic: string, payload: Uint8Array): NodeCommand {
    return parseNodeCommand(topic, payload, this.commandTopics, this.#rebirthAlias);
  }

  #deviceBirth(device: DeviceState, now: number): SparkplugPublish {
    if (!device.metrics.has(MESSAGE_ID_METRIC)) this.#declare(device, MESSAGE_ID_METRIC, 'String', undefined);
    device.born = true;
    return { topic: this.#topic('DBIRTH', device.id), payload: encode({ timestamp: now, seq: this.#nextSeq(), metrics: birthMetrics(device, now) }) };
  }

  #device(asset: string): DeviceState {
    const id = topicLevel(asset);
    let device = this.#devices.get(id);
    if (device === undefined) {
      device = { id, metrics: new Map(), born: false };
      this.#devices.set(id, device);
    }
    return device;
  }

  #declare(device: DeviceState, name: string, type: SparkplugMetricType, unit: string | undefined): MetricState {
    const existing = device.metrics.get(name);
    if (existing !== undefined) return existing;
    const state: MetricState = { alias: this.#nextAlias++, type, unit, value: null, ts: null };
    device.metrics.set(name, state);
    return state;
  }

  #nextSeq(): number {
    this.#seq = (this.#seq + 1) % 256;
    return this.#seq;
  }

  #topic(verb: string, device = ''): string {
    return `${NAMESPACE}/${this.groupId}/${verb}/${this.edgeNodeId}${device === '' ? '' : `/${device}`}`;
  }
}

function birthMetrics(device: DeviceState, now: number): UMetric[] {
  return [...device.metrics].map(([name, state]) => ({
    name,
    alias: state.alias,
    type: state.type,
    value: state.type === 'Boolean' && name === REBIRTH_METRIC ? false : state.value,
    timestamp: state.ts ?? now,
    ...(state.unit === undefined ? {} : { properties: { engUnit: { type: 'String', value: state.unit } } }),
  }));
}

function encode(payload: Parameters<typeof encodeSparkplug>[0]): Buffer {
  const bytes = encodeSparkplug(payload);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
