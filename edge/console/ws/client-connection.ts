import type { WebSocket } from 'ws';
import type { ConsoleMetrics } from '../console-metrics.js';
import type { Session } from '../session-store.js';
import { CLOSE_CODES, type ServerMessage } from '../ws-messages.js';
import type { Point } from './live-value-feed.js';
import type { WebSocketLimits } from './websocket-limits.js';

export type CloseReason = 'slow' | 'heartbeat' | 'abuse' | 'session-ended' | 'shutdown';

/**
 * One WebSocket client: what it follows, what is held back for it while it is slow, and the counts
 * that decide when it is closed. Its memory is bounded: held values by its subscribed signals, unsent
 * bytes by `maxBufferedBytes`.
 */
export class ClientConnection {
  readonly signals = new Set<string>();
  /** Its SubscriptionGroups id while it has signals. */
  group: number | undefined;
  followingAlerts = false;
  /** Alert events with ids up to this one were sent. */
  lastEventIdSent = 0;
  /** performance.now() of the last frame received (message or pong). */
  lastSeen = performance.now();
  invalidMessages = 0;
  chat: { readonly requestId: string; readonly abort: AbortController } | null = null;
  /** The newest point per signal, kept while the socket is backed up. */
  private readonly held = new Map<string, Point>();
  private coalesced = 0;
  /** Keys subscribed since the last tick, with the ts of the value sent at once: older tick points are skipped. */
  private readonly freshKeys = new Map<string, number>();
  private windowStart = 0;
  private windowCount = 0;
  private closing = false;

  constructor(
    readonly socket: WebSocket,
    readonly session: Session,
    private readonly limits: WebSocketLimits,
    private readonly metrics: ConsoleMetrics,
  ) {}

  get open(): boolean {
    return !this.closing && this.socket.readyState === this.socket.OPEN;
  }

  send(message: ServerMessage): void {
    this.sendText(message.type, JSON.stringify(message));
  }

  /** Every message goes out (never dropped); a client that lets too much pile up is closed instead. */
  sendText(type: string, text: string | Buffer): void {
    if (!this.open) return;
    this.socket.send(text, { binary: false });
    this.metrics.frameSent(type);
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      // a close reason has at most 123 bytes
      this.close('slow', CLOSE_CODES.tooSlow, `too slow: over ${this.limits.maxBufferedBytes} bytes unsent; reconnect and resume from the last event`);
    }
  }

  /** Counts a message against the per-second limit; false when the client exceeded it. */
  countMessage(now: number): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    this.windowCount += 1;
    return this.windowCount <= this.limits.maxMessagesPerSecond;
  }

  subscribed(key: string, sentTs: number | undefined): void {
    this.freshKeys.set(key, sentTs ?? -Infinity);
  }

  unsubscribed(key: string): void {
    this.held.delete(key);
    this.freshKeys.delete(key);
  }

  /** True when this tick's values message for its group fits it as is: nothing held back, nothing just subscribed, not slow. */
  takesSharedValues(): boolean {
    return this.open && this.held.size === 0 && this.freshKeys.size === 0 && this.socket.bufferedAmount <= this.limits.slowClientBytes;
  }

  /**
   * One tick of live values, for a client that cannot take the shared message: sent at once, or held (newest per signal) while the socket is backed up.
   * `fragment(key)` is the shared JSON of a signal's points this tick.
   */
  deliverValues(tick: ReadonlyMap<string, Point[]>, fragment: (key: string) => string, now: number): void {
    if (!this.open || this.signals.size === 0) return;
    if (this.socket.bufferedAmount > this.limits.slowClientBytes) {
      this.hold(tick);
      this.freshKeys.clear();
      return;
    }
    const parts: string[] = [];
    for (const [key, point] of this.held) {
      if (!tick.has(key)) parts.push(`${JSON.stringify(key)}:${JSON.stringify([point])}`);
      else this.countCoalesced(1);
    }
    this.held.clear();
    const [few, many] = tick.size <= this.signals.size ? [tick.keys(), this.signals] : [this.signals.values(), tick];
    for (const key of few) {
      if (!many.has(key)) continue;
      const since = this.freshKeys.get(key);
      if (since === undefined) parts.push(fragment(key));
      else {
        const newer = tick.get(key)!.filter((point) => point[0] > since);
        if (newer.length > 0) parts.push(`${JSON.stringify(key)}:${JSON.stringify(newer)}`);
      }
    }
    this.freshKeys.clear();
    if (parts.length === 0) return;
    const coalesced = this.coalesced > 0 ? `,"coalesced":${this.coalesced}` : '';
    this.coalesced = 0;
    this.sendText('values', `{"type":"values","ts":${now},"values":{${parts.join(',')}}${coalesced}}`);
  }

  /** Closes with a code the client can act on; the socket is destroyed if the handshake does not finish in time. */
  close(reason: CloseReason, code: number, text: string): void {
    if (this.closing) return;
    this.closing = true;
    this.metrics.wsClosed.inc({ reason });
    this.chat?.abort.abort();
    this.socket.close(code, text);
    const timer = setTimeout(() => this.socket.terminate(), this.limits.closeGraceMs);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  /** Drops a client that stopped answering: no close handshake, the link is presumed dead. */
  terminate(reason: CloseReason): void {
    if (this.closing) return;
    this.closing = true;
    this.metrics.wsClosed.inc({ reason });
    this.chat?.abort.abort();
    this.socket.terminate();
  }

  /** Held values and unsent bytes, for tests and health. */
  backlog(): { heldValues: number; bufferedBytes: number } {
    return { heldValues: this.held.size, bufferedBytes: this.socket.bufferedAmount };
  }

  private hold(tick: ReadonlyMap<string, Point[]>): void {
    let skipped = false;
    for (const [key, points] of tick) {
      if (!this.signals.has(key)) continue;
      skipped = true;
      this.countCoalesced(points.length - 1 + (this.held.has(key) ? 1 : 0));
      this.held.set(key, points[points.length - 1]!);
    }
    if (skipped) this.metrics.wsValuesFramesSkipped.inc();
  }

  private countCoalesced(points: number): void {
    if (points === 0) return;
    this.coalesced += points;
    this.metrics.wsValuesCoalesced.inc(points);
  }
}
