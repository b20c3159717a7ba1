import type { TelemetryBus } from '../../../gateway/telemetry-bus.js';
import type { SignalConfig } from '../../config/config-schema.js';
import type { ClientConnection } from './client-connection.js';
import { LiveValueFeed, splitKey, toPoint, type Point } from './live-value-feed.js';
import { SubscriptionGroups } from './subscription-groups.js';

/** Clients served per event-loop turn when a tick's values go out. */
const DELIVERY_CHUNK = 50;

/**
 * The signal keys a subscription names ("asset/signal", "asset/*"), or the ones that do not exist.
 * `signalsOf` gives an asset's signals (configured and derived), undefined for an unknown asset.
 */
export function resolveSignalKeys(signalsOf: (asset: string) => Readonly<Record<string, SignalConfig>> | undefined, requested: readonly string[]): { keys: Set<string>; unknown: string[] } {
  const keys = new Set<string>();
  const unknown: string[] = [];
  for (const key of requested) {
    const [asset, signal] = splitKey(key);
    const signals = signalsOf(asset);
    if (signal === '*' && signals) for (const id of Object.keys(signals)) keys.add(`${asset}/${id}`);
    else if (signals && Object.hasOwn(signals, signal)) keys.add(key);
    else unknown.push(key);
  }
  return { keys, unknown };
}

/**
 * Live values for the WebSocket clients: which signals each follows, and the tick that sends what
 * arrived since the previous one. Clients of one subscription group share one encoded message; the
 * clients are served in chunks, one per event-loop turn, so an alert event raised meanwhile goes out
 * between chunks instead of waiting for every client's values.
 */
export class LiveValues {
  private readonly feed: LiveValueFeed;
  private readonly groups = new SubscriptionGroups();
  /** A tick's values are still going out. */
  private delivering = false;

  constructor(
    private readonly bus: TelemetryBus,
    maxPointsPerSignal: number,
  ) {
    this.feed = new LiveValueFeed(bus, maxPointsPerSignal);
  }

  /** Replaces the client's signals and sends it their latest values at once. */
  subscribe(client: ClientConnection, keys: ReadonlySet<string>): void {
    for (const key of client.signals) {
      if (keys.has(key)) continue;
      client.signals.delete(key);
      client.unsubscribed(key);
      this.feed.release(key);
    }
    if (client.group !== undefined) this.groups.leave(client.group);
    client.group = keys.size === 0 ? undefined : this.groups.join(keys);
    const initial: string[] = [];
    for (const key of keys) {
      if (client.signals.has(key)) continue;
      client.signals.add(key);
      this.feed.retain(key);
      const [asset, signal] = splitKey(key);
      const latest = this.bus.latest(asset, signal);
      client.subscribed(key, latest?.ts);
      if (latest) initial.push(`${JSON.stringify(key)}:${JSON.stringify([toPoint(latest.ts, latest.value, latest.quality)] satisfies Point[])}`);
    }
    if (initial.length > 0) client.sendText('values', `{"type":"values","ts":${Date.now()},"values":{${initial.join(',')}}}`);
  }

  forget(client: ClientConnection): void {
    for (const key of client.signals) this.feed.release(key);
    if (client.group !== undefined) this.groups.leave(client.group);
  }

  /** Sends the points collected since the last tick to the clients following them. */
  tick(clients: Iterable<ClientConnection>): void {
    if (this.delivering) return; // the previous tick is still going out; its successor's points wait in the feed
    const receivers = [...clients].filter((client) => client.signals.size > 0);
    const tick = this.feed.take();
    if (tick.size === 0 && !receivers.some((client) => client.backlog().heldValues > 0)) return;
    const now = Date.now();
    const fragments = new Map<string, string>();
    const fragment = (key: string) => {
      let text = fragments.get(key);
      if (text === undefined) {
        text = `${JSON.stringify(key)}:${JSON.stringify(tick.get(key))}`;
        fragments.set(key, text);
      }
      return text;
    };
    const shared = new Map<number, Buffer | null>();
    const sharedFrame = (group: number): Buffer | null => {
      let frame = shared.get(group);
      if (frame === undefined) {
        const parts: string[] = [];
        for (const key of this.groups.keys(group)) if (tick.has(key)) parts.push(fragment(key));
        frame = parts.length === 0 ? null : Buffer.from(`{"type":"values","ts":${now},"values":{${parts.join(',')}}}`);
        shared.set(group, frame);
      }
      return frame;
    };
    const deliver = (start: number) => {
      const end = Math.min(start + DELIVERY_CHUNK, receivers.length);
      for (let i = start; i < end; i++) {
        const client = receivers[i]!;
        if (client.group !== undefined && client.takesSharedValues()) {
          const frame = sharedFrame(client.group);
          if (frame !== null) client.sendText('values', frame);
        } else {
          client.deliverValues(tick, fragment, now);
        }
      }
      if (end < receivers.length) setImmediate(deliver, end);
      else this.delivering = false;
    };
    this.delivering = true;
    deliver(0);
  }

  close(): void {
    this.feed.close();
  }
}
