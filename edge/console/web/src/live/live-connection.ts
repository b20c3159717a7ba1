import type { AlertList } from '../alerts/alert-list.js';
import type { ClientMessage, ServerMessage, User } from '../api-types.js';
import { Emitter } from '../emitter.js';
import type { LiveValues } from './live-values.js';
import { ReconnectBackoff } from './reconnect-backoff.js';

const SUBPROTOCOL = 'millwright.v1';
const CLOSE_SESSION_ENDED = 4001;
/** Close codes after which reconnecting would only repeat the mistake (PROTOCOL.md). */
const CLOSE_NO_RETRY = new Set([1009, 4000]);

export type ConnectionState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'live' }
  | { readonly kind: 'reconnecting'; readonly retryAt: number; readonly since: number }
  | { readonly kind: 'session-ended' }
  | { readonly kind: 'refused'; readonly code: number; readonly reason: string };

export type ChatMessage = Extract<ServerMessage, { type: 'chat.conversation' | 'chat.delta' | 'chat.card' | 'chat.done' | 'chat.action' }>;
export type EscalationMessage = Extract<ServerMessage, { type: 'assistant.escalation' }>;

export interface LiveConnectionOptions {
  readonly alerts: AlertList;
  readonly values: LiveValues;
  /** Asked after an upgrade failed: false when the session is gone (the upgrade was refused with 401). */
  readonly sessionStillValid: () => Promise<boolean>;
  readonly url?: string;
}

/**
 * The page's one WebSocket (PROTOCOL.md): follows the alerts (resuming after the last event it
 * applied), the signals the current view wants, and chat. Reconnects with back-off on its own and
 * notices a dead link by the server's heartbeats.
 */
export class LiveConnection {
  readonly state = new Emitter<ConnectionState>();
  readonly alertsChanged = new Emitter<void>();
  readonly chat = new Emitter<ChatMessage>();
  readonly escalations = new Emitter<EscalationMessage>();
  readonly protocolErrors = new Emitter<Extract<ServerMessage, { type: 'error' }>>();
  private current: ConnectionState = { kind: 'connecting' };
  private socket: WebSocket | null = null;
  private wanted: readonly string[] = [];
  private readonly backoff = new ReconnectBackoff();
  private retryTimer: number | undefined;
  private watchdog: number | undefined;
  private lastMessageAt = 0;
  private heartbeatMs = 15_000;
  private welcomed = false;
  private clockOffsetMs = 0;
  private lostAt: number | null = null;
  private stopped = false;
  user: User | null = null;

  constructor(private readonly options: LiveConnectionOptions) {}

  get status(): ConnectionState {
    return this.current;
  }

  get live(): boolean {
    return this.current.kind === 'live';
  }

  /** The server's clock, as far as the welcome message tells. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.watchdog);
    this.detach()?.close(1000, 'page closed');
  }

  /** The live signals for the current view (replaces the previous set). */
  setSignals(keys: readonly string[]): void {
    const sorted = [...new Set(keys)].sort();
    if (sorted.join('\n') === this.wanted.join('\n')) return;
    this.wanted = sorted;
    if (this.welcomed) this.send({ type: 'subscribe.signals', signals: [...sorted] });
  }

  /** False when not connected: the caller says so rather than queueing the question. */
  send(message: ClientMessage): boolean {
    if (!this.welcomed || this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private open(): void {
    this.welcomed = false;
    const url = this.options.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const socket = new WebSocket(url, SUBPROTOCOL);
    this.socket = socket;
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => this.closed(event.code, event.reason);
    this.lastMessageAt = Date.now();
    window.clearInterval(this.watchdog);
    this.watchdog = window.setInterval(() => this.checkHeartbeat(), 1000);
  }

  private receive(data: unknown): void {
    this.lastMessageAt = Date.now();
    if (typeof data !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    const { alerts, values } = this.options;
    switch (message.type) {
      case 'welcome':
        this.welcomed = true;
        this.user = message.user;
        this.heartbeatMs = message.heartbeatSeconds * 1000;
        this.clockOffsetMs = message.serverTime - Date.now();
        this.backoff.reset();
        this.lostAt = null;
        this.send({ type: 'subscribe.alerts', ...(alerts.lastEventId === null ? {} : { afterEventId: alerts.lastEventId }) });
        if (this.wanted.length > 0) this.send({ type: 'subscribe.signals', signals: [...this.wanted] });
        this.setState({ kind: 'live' });
        return;
      case 'alerts.snapshot':
        alerts.replace(message);
        this.alertsChanged.emit();
        return;
      case 'alert.event': {
        const outcome = alerts.apply(message.event);
        if (outcome === 'applied') this.alertsChanged.emit();
        // ids skipped (should not happen): ask again from the last one applied
        if (outcome === 'gap' && alerts.lastEventId !== null) this.send({ type: 'subscribe.alerts', afterEventId: alerts.lastEventId });
        return;
      }
      case 'values':
        values.ingest(message.values, Date.now());
        return;
      case 'chat.conversation':
      case 'chat.delta':
      case 'chat.card':
      case 'chat.done':
      case 'chat.action':
        this.chat.emit(message);
        return;
      case 'assistant.escalation':
        this.escalations.emit(message);
        return;
      case 'error':
        this.protocolErrors.emit(message);
        return;
      default:
        return; // heartbeat, pong, alerts.live, signals.subscribed and types added later
    }
  }

  /** Nothing for two heartbeat intervals: the link is dead even if the socket does not know yet. */
  private checkHeartbeat(): void {
    if (Date.now() - this.lastMessageAt <= 2 * this.heartbeatMs) return;
    this.detach()?.close();
    this.closed(1006, 'no heartbeat');
  }

  private detach(): WebSocket | null {
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
    }
    return socket;
  }

  private closed(code: number, reason: string): void {
    const wasWelcomed = this.welcomed;
    this.detach();
    window.clearInterval(this.watchdog);
    if (this.stopped) return;
    if (code === CLOSE_SESSION_ENDED) return this.setState({ kind: 'session-ended' });
    if (CLOSE_NO_RETRY.has(code)) return this.setState({ kind: 'refused', code, reason });
    this.lostAt ??= Date.now();
    const delay = this.backoff.next();
    this.setState({ kind: 'reconnecting', retryAt: Date.now() + delay, since: this.lostAt });
    this.retryTimer = window.setTimeout(() => void this.retry(wasWelcomed), delay);
  }

  private async retry(wasWelcomed: boolean): Promise<void> {
    // An upgrade refused with 401 looks like any failed connection to a page: ask whether the session is gone.
    if (!wasWelcomed && !(await this.options.sessionStillValid().catch(() => true))) return this.setState({ kind: 'session-ended' });
    if (!this.stopped) this.open();
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.state.emit(state);
  }
}
