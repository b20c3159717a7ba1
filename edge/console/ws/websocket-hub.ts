import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../../../gateway/logger.js';
import type { AlertEvent } from '../../alerts/alert.js';
import type { ActionDecisions } from '../action-decisions.js';
import type { AssistantSlot } from '../assistant-slot.js';
import type { ConsoleContext } from '../console-context.js';
import type { ConsoleMetrics } from '../console-metrics.js';
import type { Session } from '../session-store.js';
import { CLOSE_CODES, PROTOCOL_VERSION, type ClientMessage, type WsErrorCode } from '../ws-messages.js';
import { followAlerts, forwardEvent } from './alert-feed.js';
import { ChatRelay } from './chat-relay.js';
import { ClientConnection } from './client-connection.js';
import { parseClientMessage } from './client-message-parser.js';
import { EscalationFeed } from './escalation-feed.js';
import { LiveValues, resolveSignalKeys } from './live-values.js';
import { assetSignals } from '../asset-signals.js';
import type { WebSocketLimits } from './websocket-limits.js';

type Reply<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

/**
 * Every WebSocket client of the console: live values on a shared tick, alert events and the
 * assistant's escalations as they happen, heartbeats, and the chat relay to the assistant. Runs on the event loop like everything else; no
 * client can block another or grow its own memory without bound.
 */
export class WebSocketHub {
  private readonly clients = new Set<ClientConnection>();
  private readonly values: LiveValues;
  private readonly chat: ChatRelay;
  private readonly escalations: EscalationFeed;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribeAlerts: () => void;

  constructor(
    private readonly context: ConsoleContext,
    private readonly limits: WebSocketLimits,
    private readonly metrics: ConsoleMetrics,
    private readonly logger: Logger,
    assistant: AssistantSlot,
    decisions: ActionDecisions,
  ) {
    this.values = new LiveValues(context.bus, limits.maxPointsPerSignal);
    this.chat = new ChatRelay(assistant, decisions, logger);
    this.escalations = new EscalationFeed(assistant, () => this.clients);
    this.unsubscribeAlerts = context.alerts.subscribe((event) => this.broadcastEvent(event));
    this.timers.push(setInterval(() => this.values.tick(this.clients), limits.valueIntervalMs), setInterval(() => this.heartbeat(), limits.heartbeatMs));
    for (const timer of this.timers) timer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  accept(socket: WebSocket, session: Session): void {
    const client = new ClientConnection(socket, session, this.limits, this.metrics);
    this.clients.add(client);
    socket.on('message', (data, isBinary) => this.receive(client, data, isBinary));
    socket.on('pong', () => (client.lastSeen = performance.now()));
    socket.on('close', () => this.forget(client));
    // Frames that break the WebSocket protocol (text that is not UTF-8, a message over maxMessageBytes, a bad
    // opcode) never reach 'message': ws closes the connection itself (1007, 1009, 1002) after this event.
    socket.on('error', (error: Error & { code?: string }) => {
      this.metrics.wsInvalidMessages.inc({ reason: error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too-big' : 'protocol' });
    });
    client.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      user: { name: session.user, role: session.role },
      serverTime: Date.now(),
      heartbeatSeconds: this.limits.heartbeatMs / 1000,
      latestEventId: this.context.alerts.latestEventId(),
      limits: { maxMessageBytes: this.limits.maxMessageBytes, maxSignals: this.limits.maxSignals, valueIntervalMs: this.limits.valueIntervalMs },
    });
  }

  /** Closes the clients of a session that ended (logout, expiry). */
  endSession(sessionId: string): void {
    for (const client of this.clients) if (client.session.id === sessionId) client.close('session-ended', CLOSE_CODES.sessionEnded, 'session ended: log in again');
  }

  /** Held values and unsent bytes per client, for tests of the bounds. */
  backlogs(): { user: string; heldValues: number; bufferedBytes: number }[] {
    return [...this.clients].map((client) => ({ user: client.session.user, ...client.backlog() }));
  }

  /** Closes every client (1001) and waits for them, at most `graceMs`, before destroying the rest. */
  async close(graceMs = 1000): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.unsubscribeAlerts();
    this.escalations.close();
    this.values.close();
    const closed = [...this.clients].map((client) => new Promise<void>((resolve) => (client.socket.readyState === client.socket.CLOSED ? resolve() : client.socket.once('close', () => resolve()))));
    for (const client of this.clients) client.close('shutdown', CLOSE_CODES.shuttingDown, 'server shutting down');
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(closed), timeout]);
    for (const client of this.clients) client.socket.terminate();
  }

  private forget(client: ClientConnection): void {
    if (!this.clients.delete(client)) return;
    this.values.forget(client);
    client.chat?.abort.abort();
  }

  private broadcastEvent(event: AlertEvent): void {
    let frame: Buffer | undefined;
    for (const client of this.clients) {
      if (!client.followingAlerts) continue;
      frame ??= Buffer.from(JSON.stringify({ type: 'alert.event', event }));
      forwardEvent(client, event, frame);
    }
  }

  private heartbeat(): void {
    const now = performance.now();
    for (const client of this.clients) {
      if (now - client.lastSeen > 2 * this.limits.heartbeatMs) {
        client.terminate('heartbeat');
        continue;
      }
      if (!client.open) continue;
      client.socket.ping();
      client.send({ type: 'heartbeat', ts: Date.now() });
    }
  }

  private receive(client: ClientConnection, data: RawData, isBinary: boolean): void {
    client.lastSeen = performance.now();
    if (!client.open) return;
    if (!client.countMessage(client.lastSeen)) {
      this.metrics.wsInvalidMessages.inc({ reason: 'rate' });
      client.close('abuse', CLOSE_CODES.abuse, `protocol abuse: more than ${this.limits.maxMessagesPerSecond} messages in one second`);
      return;
    }
    const parsed = isBinary ? ({ ok: false, code: 'malformed', message: 'send text frames with JSON; binary frames are not part of the protocol' } as const) : parseClientMessage(rawText(data));
    if (!parsed.ok) {
      this.refuse(client, parsed.code, parsed.message, parsed.id, parsed.path);
      return;
    }
    try {
      this.dispatch(client, parsed.message);
    } catch (error) {
      this.logger.error({ err: error, type: parsed.message.type, user: client.session.user }, 'a WebSocket message failed');
    }
  }

  private dispatch(client: ClientConnection, message: ClientMessage): void {
    switch (message.type) {
      case 'ping':
        return client.send({ type: 'pong', ts: Date.now(), ...echo(message) });
      case 'subscribe.alerts':
        followAlerts(client, this.context.alerts, message.afterEventId, this.limits.maxReplayEvents);
        return this.escalations.replayTo(client);
      case 'unsubscribe.alerts':
        client.followingAlerts = false;
        return;
      case 'subscribe.signals':
        return this.subscribeSignals(client, message);
      case 'chat.send': {
        const refusal = this.chat.send(client, message);
        if (refusal !== undefined) this.refuse(client, 'busy', refusal, message.id);
        return;
      }
      case 'chat.cancel':
        return this.chat.cancel(client, message.requestId);
      case 'chat.decide':
        return this.chat.decide(client, message);
    }
  }

  private subscribeSignals(client: ClientConnection, message: Reply<'subscribe.signals'>): void {
    const { keys, unknown } = resolveSignalKeys((asset) => assetSignals(this.context, asset), message.signals);
    if (unknown.length > 0) {
      return this.refuse(client, 'not-found', `unknown signals (nothing was changed): ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}; GET /api/assets lists them`, message.id);
    }
    if (keys.size > this.limits.maxSignals) {
      return this.refuse(client, 'too-many', `${keys.size} signals asked, at most ${this.limits.maxSignals} per connection (nothing was changed)`, message.id);
    }
    client.send({ type: 'signals.subscribed', signals: [...keys], ...echo(message) });
    this.values.subscribe(client, keys);
  }

  private refuse(client: ClientConnection, code: WsErrorCode, message: string, id?: string, path?: string): void {
    client.invalidMessages += 1;
    this.metrics.wsInvalidMessages.inc({ reason: code });
    client.send({ type: 'error', code, message, ...(id === undefined ? {} : { id }), ...(path === undefined ? {} : { path }) });
    if (client.invalidMessages > this.limits.maxInvalidMessages) {
      client.close('abuse', CLOSE_CODES.abuse, `protocol abuse: more than ${this.limits.maxInvalidMessages} invalid messages`);
    }
  }
}

function echo(message: { readonly id?: string }): { id?: string } {
  return message.id === undefined ? {} : { id: message.id };
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}
