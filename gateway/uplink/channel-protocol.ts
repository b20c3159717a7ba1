import type { IClientOptions, MqttClient } from 'mqtt';
import type { ChannelName, OutboxMessage } from './message-class.js';

/** What differs between the JSON and the Sparkplug connection; the UplinkChannel does the rest. */
export interface ChannelProtocol {
  readonly channel: ChannelName;
  readonly clientId: string;
  /** Topic filters subscribed on every connection (before onConnected publishes). */
  readonly subscriptions: readonly string[];
  /** The will of the next connection attempt; called once per attempt. */
  nextWill(): NonNullable<IClientOptions['will']>;
  /** Publishes what must precede the data on a new connection (status, births). */
  onConnected(client: MqttClient, connectedAt: number): void;
  /**
   * Publishes one buffered message; `done` once the broker acknowledged it (QoS 1) or it was written to
   * the connection (QoS 0). Throws when the buffered message cannot be encoded.
   */
  send(client: MqttClient, message: OutboxMessage, connectedAt: number, done: (error?: Error) => void): void;
  onMessage(client: MqttClient, topic: string, payload: Buffer): void;
  /** Before a clean disconnect: the offline status or NDEATH, which the broker does not send for a clean disconnect. */
  goodbye(client: MqttClient): Promise<void>;
}
