import {
  AttributeIds,
  ClientMonitoredItemGroup,
  DataChangeNotification,
  TimestampsToReturn,
  resolveNodeId,
  type ClientMonitoredItemBase,
  type ClientSession,
  type ClientSubscription,
  type MonitoringParametersOptions,
  type NotificationMessage,
  type StatusCode,
} from 'node-opcua';
import type { Sample } from '../sample.js';
import { decodeDataValue, type ReadingRejection } from './data-value-reading.js';
import { monitoringParameters, monitoringSettingsFor, type SubscriptionSettings } from './monitoring-settings.js';
import type { OpcuaNodeMapping, OpcuaSourceConfig } from './opcua-source-config.js';

/** A mapped node the server would not monitor, and why (the OPC UA status, e.g. BadNodeIdUnknown). */
export interface NodeFailure {
  readonly node: OpcuaNodeMapping;
  readonly status: string;
}

export interface MonitoredSubscriptionEvents {
  /** The samples of one notification message. */
  batch(samples: Sample[]): void;
  rejected(node: OpcuaNodeMapping, reason: ReadingRejection, detail: string): void;
  /** A notification or keep-alive arrived: the subscription is alive. */
  alive(): void;
  /** The server (or node-opcua) ended the subscription; not called after `terminate()`. */
  ended(reason: string): void;
}

/** Items per CreateMonitoredItems request: well under what servers commonly allow per call. */
const MAX_ITEMS_PER_REQUEST = 200;

/**
 * One OPC UA subscription with a monitored item per mapped node, decoding each notification message into one
 * batch of Samples. node-opcua keeps it across a repaired session (same items, same client handles).
 */
export class MonitoredSubscription {
  readonly #subscription: ClientSubscription;
  readonly #config: OpcuaSourceConfig;
  readonly #events: MonitoredSubscriptionEvents;
  readonly #nodeOf = new Map<ClientMonitoredItemBase, OpcuaNodeMapping>();
  readonly #refused: NodeFailure[] = [];
  #detached = false;
  /** The status the server last reported for the subscription, e.g. BadTimeout before it deleted it. */
  #lastStatus: string | null = null;

  private constructor(subscription: ClientSubscription, config: OpcuaSourceConfig, events: MonitoredSubscriptionEvents) {
    this.#subscription = subscription;
    this.#config = config;
    this.#events = events;
    subscription.on('raw_notification', this.#onNotification);
    subscription.on('status_changed', this.#onStatusChanged);
    subscription.on('terminated', this.#onTerminated);
  }

  /** Creates the subscription and its monitored items. Nodes the server refuses end up in `failedNodes()`, not thrown. */
  static async open(
    session: ClientSession,
    config: OpcuaSourceConfig,
    settings: SubscriptionSettings,
    events: MonitoredSubscriptionEvents,
  ): Promise<MonitoredSubscription> {
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: settings.publishingInterval,
      requestedMaxKeepAliveCount: settings.keepAliveCount,
      requestedLifetimeCount: settings.lifetimeCount,
      maxNotificationsPerPublish: settings.maxNotificationsPerPublish,
      publishingEnabled: true,
      priority: 1,
    });
    const monitored = new MonitoredSubscription(subscription, config, events);
    try {
      await monitored.#monitorAll();
      return monitored;
    } catch (error) {
      await monitored.terminate();
      throw error;
    }
  }

  /** The server's promise: a keep-alive at least this often (ms) when no value changes. */
  get keepAliveIntervalMs(): number {
    return this.#subscription.publishingInterval * this.#subscription.maxKeepAliveCount;
  }

  /**
   * Nodes not monitored: refused when the subscription was made, or whose item went bad later (e.g. when node-opcua
   * recreated the items on a restarted server that no longer has the node).
   */
  failedNodes(): NodeFailure[] {
    return [...this.#refused, ...this.#badItems()];
  }

  /** Stops reporting anything, at once; the subscription itself is left for `terminate()`. */
  detach(): void {
    this.#detached = true;
    this.#subscription.off('raw_notification', this.#onNotification);
    this.#subscription.off('status_changed', this.#onStatusChanged);
    this.#subscription.off('terminated', this.#onTerminated);
  }

  /** Detaches and deletes the subscription on the server; never throws (the session may be gone). */
  async terminate(): Promise<void> {
    this.detach();
    try {
      await this.#subscription.terminate();
    } catch {
      // A dead session cannot delete it; the server drops it with the session.
    }
  }

  #badItems(): NodeFailure[] {
    return [...this.#nodeOf].filter(([item]) => item.statusCode.isNotGood()).map(([item, node]) => ({ node, status: item.statusCode.toString() }));
  }

  async #monitorAll(): Promise<void> {
    const groups = new Map<string, { parameters: MonitoringParametersOptions; nodes: OpcuaNodeMapping[] }>();
    for (const node of this.#config.nodes) {
      try {
        resolveNodeId(node.nodeId);
      } catch {
        this.#refused.push({ node, status: 'BadNodeIdInvalid (not an OPC UA node id, expected e.g. "ns=2;s=Pump1.Flow" or "ns=2;i=1001")' });
        continue;
      }
      const settings = monitoringSettingsFor(node, this.#config, this.#subscription.publishingInterval);
      const key = JSON.stringify(settings);
      const group = groups.get(key) ?? { parameters: monitoringParameters(settings), nodes: [] };
      group.nodes.push(node);
      groups.set(key, group);
    }
    const requests: Promise<void>[] = [];
    for (const { parameters, nodes } of groups.values()) {
      for (let start = 0; start < nodes.length; start += MAX_ITEMS_PER_REQUEST) {
        requests.push(this.#monitorGroup(nodes.slice(start, start + MAX_ITEMS_PER_REQUEST), parameters));
      }
    }
    await Promise.all(requests);
    for (const [item, node] of this.#nodeOf) {
      if (item.statusCode.isGood()) continue;
      this.#refused.push({ node, status: item.statusCode.toString() });
      this.#nodeOf.delete(item);
    }
  }

  #monitorGroup(nodes: OpcuaNodeMapping[], parameters: MonitoringParametersOptions): Promise<void> {
    const group = ClientMonitoredItemGroup.create(
      this.#subscription,
      nodes.map((node) => ({ nodeId: node.nodeId, attributeId: AttributeIds.Value })),
      parameters,
      TimestampsToReturn.Both,
    );
    // Known before the server answers: a notification may arrive right behind the CreateMonitoredItems response.
    group.monitoredItems.forEach((item, index) => {
      const node = nodes[index];
      if (node) this.#nodeOf.set(item, node);
    });
    return new Promise((resolve, reject) => {
      group.once('initialized', () => resolve());
      group.once('terminated', (error?: Error) => reject(error ?? new Error('CreateMonitoredItems was cancelled')));
    });
  }

  readonly #onNotification = (message: NotificationMessage): void => {
    if (this.#detached) return;
    this.#events.alive();
    const arrival = Date.now();
    const batch: Sample[] = [];
    for (const data of message.notificationData ?? []) {
      if (!(data instanceof DataChangeNotification)) continue;
      for (const { clientHandle, value } of data.monitoredItems ?? []) {
        const item = this.#subscription.monitoredItems[clientHandle];
        const node = item && this.#nodeOf.get(item);
        if (!node) continue;
        const reading = decodeDataValue(value, arrival);
        if (reading.kind === 'rejected') {
          this.#events.rejected(node, reading.reason, reading.detail);
          continue;
        }
        batch.push({ asset: node.asset, signal: node.signal, value: reading.value, ts: reading.ts, quality: reading.quality, source: this.#config.id });
      }
    }
    if (batch.length > 0) this.#events.batch(batch);
  };

  readonly #onStatusChanged = (status: StatusCode): void => {
    this.#lastStatus = status.toString();
  };

  readonly #onTerminated = (): void => {
    if (this.#detached) return;
    this.detach();
    this.#events.ended(`the server ended the subscription${this.#lastStatus ? ` (${this.#lastStatus})` : ''}`);
  };
}
