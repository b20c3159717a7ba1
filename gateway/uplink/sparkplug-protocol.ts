import type { IClientOptions, MqttClient } from 'mqtt';
import { silentLogger, type Logger } from '../logger.js';
import type { ChannelProtocol } from './channel-protocol.js';
import type { OutboxMessage } from './message-class.js';
import { COMMAND_REJECT_REASONS, type CommandRejectReason } from './sparkplug-command.js';
import type { SparkplugNode } from './sparkplug-node.js';

const LOG_INTERVAL_MS = 10_000;

export interface SparkplugCommandCounts {
  readonly rebirths: number;
  readonly rejected: Readonly<Record<CommandRejectReason, number>>;
}

/**
 * Sparkplug B on its own connection: NDEATH as the will (bdSeq +1 per CONNECT), NCMD and DCMD
 * subscribed before NBIRTH and the DBIRTHs, buffered messages as DDATA/NDATA (isHistorical when they
 * were buffered before this connection), a rebirth on `Node Control/Rebirth`.
 */
export class SparkplugProtocol implements ChannelProtocol {
  readonly channel = 'sparkplug';
  readonly subscriptions: readonly string[];
  readonly #node: SparkplugNode;
  readonly #qos: 0 | 1;
  readonly #logger: Logger;
  readonly #rejected = Object.fromEntries(COMMAND_REJECT_REASONS.map((reason) => [reason, 0])) as Record<CommandRejectReason, number>;
  #rebirths = 0;
  #loggedAt = Number.NEGATIVE_INFINITY;
  #unlogged = 0;

  constructor(
    readonly clientId: string,
    node: SparkplugNode,
    qos: 0 | 1,
    logger: Logger = silentLogger,
  ) {
    this.#node = node;
    this.#qos = qos;
    this.#logger = logger;
    this.subscriptions = [node.commandTopics.ncmd, `${node.commandTopics.dcmdPrefix}+`];
  }

  nextWill(): NonNullable<IClientOptions['will']> {
    this.#node.startConnection();
    const death = this.#node.death();
    return { topic: death.topic, payload: death.payload, qos: 1, retain: false };
  }

  onConnected(client: MqttClient, connectedAt: number): void {
    for (const birth of this.#node.births(connectedAt)) client.publish(birth.topic, birth.payload, { qos: 0 });
  }

  send(client: MqttClient, message: OutboxMessage, connectedAt: number, done: (error?: Error) => void): void {
    const out = this.#node.data(message, message.created < connectedAt, Date.now());
    const last = out.length - 1;
    out.forEach((publish, index) => {
      if (index < last) client.publish(publish.topic, publish.payload, { qos: 0 });
      else client.publish(publish.topic, publish.payload, { qos: this.#qos }, (error) => done(error));
    });
  }

  onMessage(client: MqttClient, topic: string, payload: Buffer): void {
    const command = this.#node.command(topic, payload);
    if (command.kind === 'rebirth') {
      this.#rebirths += 1;
      this.#logger.info({ topic }, 'Sparkplug rebirth requested: publishing NBIRTH and DBIRTHs');
      this.onConnected(client, Date.now());
      return;
    }
    this.#rejected[command.reason] += 1;
    const now = Date.now();
    if (now - this.#loggedAt < LOG_INTERVAL_MS) {
      this.#unlogged += 1;
      return;
    }
    const more = this.#unlogged > 0 ? ` (${this.#unlogged} more command(s) refused since the last such line)` : '';
    this.#loggedAt = now;
    this.#unlogged = 0;
    this.#logger.warn({ topic, reason: command.reason }, `Sparkplug command refused: ${command.detail}${more}`);
  }

  async goodbye(client: MqttClient): Promise<void> {
    const death = this.#node.death();
    await client.publishAsync(death.topic, death.payload, { qos: 1 });
  }

  commands(): SparkplugCommandCounts {
    return { rebirths: this.#rebirths, rejected: { ...this.#rejected } };
  }
}
