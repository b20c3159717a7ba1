import { randomUUID } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { telemetryChannelFor, type OutgoingMessage, type TelemetryChannel } from './mqtt-telemetry.js';
import type { Simulation, Tick } from './simulation.js';

export interface MqttSensorsOptions {
  readonly simulation: Simulation;
  /** e.g. mqtt://127.0.0.1:1883 */
  readonly brokerUrl: string;
  /** Real milliseconds between messages of a sensor (default 1000); readings are sampled every tick. */
  readonly publishIntervalMs?: number;
  /** QoS 1 messages awaiting the broker's PUBACK beyond which new messages are dropped, counted and logged (default 100). */
  readonly maxInFlight?: number;
  readonly clientId?: string;
  readonly username?: string;
  readonly password?: string;
  readonly logger: Logger;
}

export interface MqttSensorsStats {
  readonly connected: boolean;
  readonly published: number;
  readonly inFlight: number;
  /** Messages not sent because the broker was unreachable or too many were in flight. */
  readonly dropped: number;
}

/**
 * The stand-alone wireless sensors: every machine placed on transport 'mqtt' publishes to one broker,
 * QoS 1, in the topics and payloads of the plant contract (see mqtt-telemetry.ts). Like a real sensor
 * gateway it does not buffer while the broker is away: those messages are dropped and counted, and
 * the client reconnects on its own.
 */
export class MqttSensors {
  /** Without user:password@, for logs and announcements. */
  readonly brokerUrl: string;
  readonly #client: MqttClient;
  readonly #channels: TelemetryChannel[];
  readonly #logger: Logger;
  readonly #maxInFlight: number;
  readonly #publishEveryTicks: number;
  readonly #unsubscribe: () => void;
  #ticksSincePublish = 0;
  #published = 0;
  #inFlight = 0;
  #dropped = 0;
  #droppingSince: number | undefined;
  #onDrained: (() => void) | undefined;

  constructor(options: MqttSensorsOptions) {
    const { simulation, logger } = options;
    this.brokerUrl = withoutCredentials(options.brokerUrl);
    this.#logger = logger;
    this.#maxInFlight = options.maxInFlight ?? 100;
    this.#publishEveryTicks = Math.max(1, Math.round((options.publishIntervalMs ?? 1000) / simulation.tickMs));
    this.#channels = simulation.machines
      .filter((placed) => placed.transport === 'mqtt')
      .map((placed) => telemetryChannelFor(placed, simulation.speed));
    this.#client = connect(options.brokerUrl, {
      clientId: options.clientId ?? `millwright-sim-sensors-${randomUUID().slice(0, 8)}`,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      ...(options.username !== undefined ? { username: options.username, password: options.password ?? '' } : {}),
    });
    this.#watchConnection();
    this.#unsubscribe = simulation.onTick((tick) => this.#onTick(tick));
    logger.info({ brokerUrl: this.brokerUrl, machines: this.#channels.map((channel) => channel.machineId) }, 'simulated MQTT sensors connecting');
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  stats(): MqttSensorsStats {
    return { connected: this.#client.connected, published: this.#published, inFlight: this.#inFlight, dropped: this.#dropped };
  }

  /** Resolves once connected; rejects after timeoutMs (the client keeps trying in the background). */
  async waitUntilConnected(timeoutMs: number): Promise<void> {
    if (this.#client.connected) return;
    await new Promise<void>((resolve, reject) => {
      const onConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#client.off('connect', onConnect);
        reject(new Error(`no connection to the MQTT broker at ${this.brokerUrl} within ${timeoutMs} ms; still retrying every second`));
      }, timeoutMs);
      this.#client.once('connect', onConnect);
    });
  }

  /** Gives messages in flight up to drainTimeoutMs to be acknowledged, then closes the connection. */
  async stop(drainTimeoutMs = 1000): Promise<void> {
    this.#unsubscribe();
    if (this.#inFlight > 0 && this.#client.connected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainTimeoutMs);
        this.#onDrained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await this.#client.endAsync(true);
    this.#logger.info({ brokerUrl: this.brokerUrl, ...this.stats() }, 'simulated MQTT sensors stopped');
  }

  #watchConnection(): void {
    let reportedError = false;
    this.#client.on('connect', () => {
      reportedError = false;
      this.#logger.info({ brokerUrl: this.brokerUrl }, 'simulated MQTT sensors connected');
    });
    this.#client.on('error', (error) => {
      if (reportedError) return;
      reportedError = true;
      this.#logger.warn({ brokerUrl: this.brokerUrl, reason: error.message }, 'simulated MQTT sensors cannot reach the broker; retrying every second');
    });
    this.#client.on('offline', () => {
      this.#logger.warn({ brokerUrl: this.brokerUrl }, 'simulated MQTT sensors lost the broker; messages are dropped until it is back');
    });
  }

  #onTick(tick: Tick): void {
    for (const channel of this.#channels) channel.collect(tick);
    this.#ticksSincePublish += 1;
    if (this.#ticksSincePublish < this.#publishEveryTicks) return;
    this.#ticksSincePublish = 0;
    for (const channel of this.#channels) {
      for (const message of channel.flush(tick)) this.#publish(message);
    }
  }

  #publish(message: OutgoingMessage): void {
    if (!this.#client.connected || this.#inFlight >= this.#maxInFlight) {
      this.#dropped += 1;
      if (this.#droppingSince === undefined) {
        this.#droppingSince = this.#dropped;
        const reason = this.#client.connected ? `${this.#inFlight} messages already await the broker's acknowledgement` : 'not connected';
        this.#logger.warn({ topic: message.topic, reason }, 'simulated MQTT sensors dropping messages');
      }
      return;
    }
    if (this.#droppingSince !== undefined) {
      this.#logger.info({ dropped: this.#dropped - this.#droppingSince + 1 }, 'simulated MQTT sensors publishing again');
      this.#droppingSince = undefined;
    }
    this.#inFlight += 1;
    this.#client.publish(message.topic, message.payload, { qos: 1 }, (error) => {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#onDrained?.();
      if (error) {
        this.#dropped += 1;
        this.#logger.debug({ topic: message.topic, reason: error.message }, 'simulated MQTT sensor message not acknowledged');
      } else {
        this.#published += 1;
      }
    });
  }
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
