import type { AlertEngine } from '../../alerts/alert-engine.js';
import type { AlertEvent } from '../../alerts/alert.js';
import type { ClientConnection } from './client-connection.js';

const PAGE = 1000;
const SNAPSHOT_LIMIT = 1000;

/**
 * Starts (or restarts) a client's alert feed: a snapshot of the open alerts, or the events after the
 * last one it saw, then live events. Everything here runs in one synchronous turn and the client is
 * marked as following at its end, so no event falls between the replay and the live ones (the engine
 * is synchronous too; see edge/alerts/README.md, "Resuming a WebSocket client").
 */
export function followAlerts(client: ClientConnection, engine: AlertEngine, afterEventId: number | undefined, maxReplayEvents: number): void {
  client.followingAlerts = false;
  const latest = engine.latestEventId();
  if (afterEventId === undefined) return snapshot(client, engine, 'subscribe');
  if (afterEventId > latest) return snapshot(client, engine, 'resync');
  if (latest - afterEventId > maxReplayEvents) return snapshot(client, engine, 'too-far-behind');
  let cursor = afterEventId;
  let replayed = 0;
  for (;;) {
    const page = engine.eventsAfter(cursor, PAGE);
    if (page.resync) return snapshot(client, engine, 'resync');
    for (const event of page.events) sendEvent(client, event);
    replayed += page.events.length;
    cursor = page.events.at(-1)?.id ?? cursor;
    if (!page.hasMore) break;
  }
  client.lastEventIdSent = cursor;
  client.send({ type: 'alerts.live', latestEventId: cursor, replayed });
  client.followingAlerts = true;
}

/** A live event for a following client; ids it already has are skipped. `frame` is the event's message, encoded once for all. */
export function forwardEvent(client: ClientConnection, event: AlertEvent, frame: Buffer): void {
  if (!client.followingAlerts || event.id <= client.lastEventIdSent) return;
  client.lastEventIdSent = event.id;
  client.sendText('alert.event', frame);
}

function snapshot(client: ClientConnection, engine: AlertEngine, reason: 'subscribe' | 'resync' | 'too-far-behind'): void {
  const latestEventId = engine.latestEventId();
  client.send({
    type: 'alerts.snapshot',
    reason,
    alerts: engine.list({ limit: SNAPSHOT_LIMIT }),
    latestEventId,
    flood: engine.flood(),
    counts: engine.counts(),
  });
  client.lastEventIdSent = latestEventId;
  client.send({ type: 'alerts.live', latestEventId, replayed: 0 });
  client.followingAlerts = true;
}

function sendEvent(client: ClientConnection, event: AlertEvent): void {
  client.sendText('alert.event', JSON.stringify({ type: 'alert.event', event }));
}
