import type { IClientOptions, MqttClient } from 'mqtt';
import type { ChannelProtocol } from './channel-protocol.js';
import type { OutboxMessage } from './message-class.js';
import type { TopicTree } from './topic-tree.js';

export interface BoxStatus {
  readonly box: string;
  readonly site: string;
  readonly state: 'online' | 'offline';
  /** online: when the connection was made; offline: when it was made (for the will) or closed (clean stop). */
  readonly ts: number;
  readonly reason?: 'connection lost' | 'stopped';
}

/**
 * The JSON topic tree: each buffered message is published as it was stored (QoS 1), and the box's
 * status topic holds a retained "online" while connected, "offline" by will or on a clean stop.
 */
export class JsonProtocol implements ChannelProtocol {
  readonly channel = 'json';
  readonly subscriptions: readonly string[] = [];

  constructor(
    readonly clientId: string,
    private readonly topics: TopicTree,
    private readonly box: string,
    private readonly site: string,
  ) {}

  nextWill(): NonNullable<IClientOptions['will']> {
    return { topic: this.topics.statusTopic(), payload: this.#status({ state: 'offline', ts: Date.now(), reason: 'connection lost' }), qos: 1, retain: true };
  }

  onConnected(client: MqttClient, connectedAt: number): void {
    client.publish(this.topics.statusTopic(), this.#status({ state: 'online', ts: connectedAt }), { qos: 1, retain: true });
  }

  send(client: MqttClient, message: OutboxMessage, _connectedAt: number, done: (error?: Error) => void): void {
    client.publish(message.topic, message.payload, { qos: 1 }, (error) => done(error));
  }

  onMessage(): void {}

  async goodbye(client: MqttClient): Promise<void> {
    await client.publishAsync(this.topics.statusTopic(), this.#status({ state: 'offline', ts: Date.now(), reason: 'stopped' }), { qos: 1, retain: true });
  }

  #status(status: Omit<BoxStatus, 'box' | 'site'>): Buffer {
    const full: BoxStatus = { box: this.box, site: this.site, ...status };
    return Buffer.from(JSON.stringify(full));
  }
}
