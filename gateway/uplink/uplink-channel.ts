import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../logger.js';
import { credentialOptions, type MqttTlsClientOptions } from '../mqtt/mqtt-security-options.js';
import type { ConnectionState } from '../source.js';
import type { ChannelProtocol } from './channel-protocol.js';
import { describeConnectionProblem, type ConnectionProblem, type ConnectionProblemKind } from './connection-problem.js';
import { MESSAGE_CLASSES, type ChannelName, type MessageClass, type OutboxMessage } from './message-class.js';
import type { Outbox } from './outbox.js';
import { RateMeter } from './rate-meter.js';


export interface ChannelSettings {
  readonly url: string;
  readonly auth: { readonly username: string; readonly password: string } | null;
  readonly tls: MqttTlsClientOptions;
  readonly keepaliveSeconds: number;
  readonly maxReconnectDelayMs: number;
  readonly maxInFlight: number;
  readonly maxMessagesPerSecond: number;
}

export interface ReplayProgress {
  /** Messages of this channel in the buffer when the connection was made. */
  readonly backlog: number;
  /** Of those, acknowledged by the broker so far. */
  readonly sent: number;
  readonly startedAt: number;
  /** When the last of them was acknowledged (or dropped); null while replaying. */
  readonly finishedAt: number | null;
  /** sent per second of the replay so far (or of the whole replay once finished). */
  readonly perSecond: number;
}

export interface ChannelHealth {
  readonly format: ChannelName;
  readonly clientId: string;
  readonly state: ConnectionState;
  readonly connects: number;
  /** What is wrong now (null while connected). */
  readonly problem: ConnectionProblemKind | null;
  readonly lastError: { readonly message: string; readonly at: number } | null;
  readonly published: number;
  readonly publishedPerSecond: number;
  readonly inFlight: number;
  /** Publishes the broker or the connection failed; those messages stay buffered and go again on the next connection. */
  readonly publishErrors: number;
  /** Buffered messages that could not be encoded (damaged): deleted and counted. */
  readonly unsendable: number;
  /** The replay of the backlog of the current (or last) connection. */
  readonly replay: ReplayProgress | null;
}

const PREFETCH = 64;
const FIRST_RECONNECT_DELAY_MS = 250;
const CONNECT_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 2000;

interface Replay {
  backlog: number;
  sent: number;
  inFlight: number;
  readonly lastSeq: number;
  readonly startedAt: number;
  finishedAt: number | null;
}

/**
 * One MQTT connection to the plant's broker (one per format) and the sender that drains the buffer
 * into it. Connection attempts back off from 250 ms to maxReconnectDelay; each attempt is a new client
 * with a clean session, so nothing of a lost connection is resent by mqtt.js: the buffer is the only
 * queue. On every connection the sender starts again from the oldest buffered message of each class,
 * alert transitions first, then findings, then telemetry, each class in the order accepted, at most
 * maxInFlight unacknowledged and maxMessagesPerSecond.
 */
export class UplinkChannel {
  readonly #protocol: ChannelProtocol;
  readonly #outbox: Outbox;
  readonly #settings: ChannelSettings;
  readonly #logger: Logger;
  readonly #target: string;
  readonly #cursor = { alert: 0, finding: 0, telemetry: 0 } satisfies Record<MessageClass, number>;
  readonly #queue: Record<MessageClass, OutboxMessage[]> = { alert: [], finding: [], telemetry: [] };
  readonly #more: Record<MessageClass, boolean> = { alert: true, finding: true, telemetry: true };
  readonly #rate = new RateMeter();
  #client: MqttClient | null = null;
  #connected = false;
  #generation = 0;
  #state: ConnectionState = 'stopped';
  #connects = 0;
  #problem: ConnectionProblem | null = null;
  #lastError: { message: string; at: number } | null = null;
  #lastLoggedError: string | null = null;
  /** The current connection attempt reported an error (else a close before CONNACK needs explaining). */
  #attemptFailed = false;
  #reconnectDelay = FIRST_RECONNECT_DELAY_MS;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #connectedAt = 0;
  #inFlight = 0;
  #tokens: number;
  #tokensAt = performance.now();
  #tokenTimer: NodeJS.Timeout | null = null;
  #pumpTask: NodeJS.Immediate | null = null;
  #replay: Replay | null = null;
  #published = 0;
  #publishErrors = 0;
  #unsendable = 0;
  #settleStart: (() => void) | null = null;
  #drained: (() => void) | null = null;

  constructor(protocol: ChannelProtocol, outbox: Outbox, settings: ChannelSettings, target: string, logger: Logger) {
    this.#protocol = protocol;
    this.#outbox = outbox;
    this.#settings = settings;
    this.#target = target;
    this.#logger = logger.child({ uplink: protocol.channel });
    this.#tokens = this.#burst();
  }

  get channel(): ChannelName {
    return this.#protocol.channel;
  }

  /** Resolves once connected, or once the first attempt failed (it keeps trying; see health()). */
  start(): Promise<void> {
    if (this.#state !== 'stopped') throw new Error(`uplink ${this.channel} connection is already started`);
    this.#state = 'connecting';
    const started = new Promise<void>((resolve) => (this.#settleStart = resolve));
    this.#connect();
    return started;
  }

  /** Something was buffered for this channel. */
  wake(cls: MessageClass): void {
    this.#more[cls] = true;
    if (this.#connected) this.#schedulePump();
  }

  /** Waits (bounded) for what is in flight, says goodbye (offline status / NDEATH), disconnects cleanly. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    for (const timer of [this.#reconnectTimer, this.#tokenTimer]) if (timer !== null) clearTimeout(timer);
    if (this.#pumpTask !== null) clearImmediate(this.#pumpTask);
    this.#reconnectTimer = this.#tokenTimer = this.#pumpTask = null;
    const client = this.#client;
    if (client !== null && this.#connected) {
      if (this.#inFlight > 0) await withTimeout(new Promise<void>((resolve) => (this.#drained = resolve)), STOP_TIMEOUT_MS);
      await withTimeout(this.#protocol.goodbye(client).catch(() => undefined), STOP_TIMEOUT_MS);
    }
    this.#generation += 1;
    this.#client = null;
    const wasConnected = this.#connected;
    this.#connected = false;
    this.#inFlight = 0;
    if (client !== null) {
      if (wasConnected) await withTimeout(client.endAsync().catch(() => undefined), STOP_TIMEOUT_MS);
      client.end(true);
    }
    this.#outbox.flushAcknowledged();
    this.#settleStart?.();
    this.#settleStart = null;
  }

  health(): ChannelHealth {
    const replay = this.#replay;
    return {
      format: this.channel,
      clientId: this.#protocol.clientId,
      state: this.#state,
      connects: this.#connects,
      problem: this.#connected ? null : (this.#problem?.kind ?? null),
      lastError: this.#lastError,
      published: this.#published,
      publishedPerSecond: this.#rate.perSecond(Date.now()),
      inFlight: this.#inFlight,
      publishErrors: this.#publishErrors,
      unsendable: this.#unsendable,
      replay: replay === null ? null : { backlog: replay.backlog, sent: replay.sent, startedAt: replay.startedAt, finishedAt: replay.finishedAt, perSecond: replayRate(replay, this.#outbox.now()) },
    };
  }

  #connect(): void {
    this.#reconnectTimer = null;
    if (this.#state === 'stopped') return;
    const generation = ++this.#generation;
    this.#attemptFailed = false;
    const options: IClientOptions = {
      clientId: this.#protocol.clientId,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      keepalive: this.#settings.keepaliveSeconds,
      queueQoSZero: false,
      will: this.#protocol.nextWill(),
      ...credentialOptions(this.#settings.auth),
      ...this.#settings.tls,
    };
    const client = connect(this.#settings.url, options);
    // Without it Nagle's algorithm holds back PUBLISH packets while PUBACKs are outstanding: measured
    // 3 to 4 times slower replay with 100 messages in flight (TCP and TLS sockets; WebSockets have no such switch).
    (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    this.#client = client;
    client.on('connect', () => this.#onConnect(client, generation));
    client.on('message', (topic, payload) => {
      if (generation !== this.#generation) return;
      try {
        this.#protocol.onMessage(client, topic, payload);
      } catch (error) {
        this.#logger.error({ err: error, topic }, 'handling a message from the broker failed unexpectedly; the uplink goes on');
      }
    });
    client.on('error', (error) => this.#onError(generation, error));
    client.on('close', () => this.#onClose(client, generation));
  }

  #onConnect(client: MqttClient, generation: number): void {
    if (generation !== this.#generation || this.#state === 'stopped') return;
    this.#connected = true;
    this.#state = 'connected';
    this.#connects += 1;
    this.#reconnectDelay = FIRST_RECONNECT_DELAY_MS;
    this.#lastLoggedError = null;
    this.#problem = null;
    this.#connectedAt = this.#outbox.now();
    if (this.#protocol.subscriptions.length > 0) {
      client.subscribe([...this.#protocol.subscriptions], { qos: 1 }, (error) => {
        if (error && generation === this.#generation) this.#logger.warn({ err: error }, `subscribing to ${this.#protocol.subscriptions.join(', ')} failed`);
      });
    }
    this.#protocol.onConnected(client, this.#connectedAt);
    for (const cls of MESSAGE_CLASSES) {
      this.#cursor[cls] = 0;
      this.#queue[cls] = [];
      this.#more[cls] = true;
    }
    const lastSeq = this.#outbox.lastSeq();
    const backlog = this.#outbox.backlog(this.channel, lastSeq);
    this.#replay = { backlog, sent: 0, inFlight: 0, lastSeq, startedAt: this.#connectedAt, finishedAt: backlog === 0 ? this.#connectedAt : null };
    this.#logger.info({ target: this.#target, clientId: this.#protocol.clientId, backlog }, backlog > 0 ? `uplink connected; replaying ${backlog} buffered message(s)` : 'uplink connected');
    this.#settleStart?.();
    this.#settleStart = null;
    this.#schedulePump();
  }

  #onError(generation: number, error: Error): void {
    if (generation !== this.#generation || this.#state === 'stopped') return;
    this.#attemptFailed = true;
    this.#note(describeConnectionProblem(error), error);
  }

  #note(problem: ConnectionProblem, error?: Error): void {
    this.#problem = problem;
    this.#lastError = { message: problem.message, at: Date.now() };
    if (this.#problem.message === this.#lastLoggedError) return;
    this.#lastLoggedError = this.#problem.message;
    const log = this.#problem.kind === 'broker-unreachable' ? this.#logger.warn.bind(this.#logger) : this.#logger.error.bind(this.#logger);
    log({ target: this.#target, problem: this.#problem.kind, err: error }, `uplink: ${this.#problem.message}; retrying, up to every ${this.#settings.maxReconnectDelayMs / 1000} s`);
  }

  #onClose(client: MqttClient, generation: number): void {
    if (generation !== this.#generation) return;
    this.#generation += 1;
    const wasConnected = this.#connected;
    this.#connected = false;
    this.#client = null;
    this.#inFlight = 0;
    client.end(true);
    this.#outbox.flushAcknowledged();
    if (this.#state === 'stopped') return;
    this.#state = 'disconnected';
    if (wasConnected) {
      this.#problem ??= { kind: 'broker-unreachable', message: 'connection lost' };
      this.#lastError = { message: `connection lost at ${new Date().toISOString()}`, at: Date.now() };
      this.#logger.warn({ target: this.#target }, 'uplink connection lost; messages are buffered until it is back');
    } else if (!this.#attemptFailed) {
      this.#note({ kind: 'refused', message: 'the connection was closed before the broker accepted it (check that uplink.url names an MQTT port with the right scheme: mqtts:// for TLS)' });
    }
    this.#settleStart?.();
    this.#settleStart = null;
    this.#reconnectTimer = setTimeout(() => this.#connect(), this.#reconnectDelay);
    this.#reconnectDelay = Math.min(this.#settings.maxReconnectDelayMs, this.#reconnectDelay * 2);
  }

  #schedulePump(): void {
    this.#pumpTask ??= setImmediate(() => {
      this.#pumpTask = null;
      this.#pump();
    });
  }

  #pump(): void {
    const client = this.#client;
    if (client === null || !this.#connected) return;
    while (this.#inFlight < this.#settings.maxInFlight) {
      const message = this.#next();
      if (message === undefined) break;
      if (!this.#takeToken()) {
        this.#waitForToken();
        break;
      }
      this.#queue[message.cls].shift();
      this.#cursor[message.cls] = message.seq;
      this.#send(client, message);
    }
    this.#checkReplayDone();
  }

  /** The next message to send: the oldest of the most urgent class that has one. */
  #next(): OutboxMessage | undefined {
    for (const cls of MESSAGE_CLASSES) {
      const head = this.#head(cls);
      if (head !== undefined) return head;
    }
    return undefined;
  }

  #head(cls: MessageClass): OutboxMessage | undefined {
    if (this.#queue[cls].length === 0 && this.#more[cls]) {
      const fetched = this.#outbox.fetch(this.channel, cls, this.#cursor[cls], PREFETCH);
      this.#queue[cls] = fetched;
      if (fetched.length === 0) this.#more[cls] = false;
    }
    return this.#queue[cls][0];
  }

  #send(client: MqttClient, message: OutboxMessage): void {
    const generation = this.#generation;
    const replay = this.#replay;
    const old = replay !== null && message.seq <= replay.lastSeq;
    this.#inFlight += 1;
    if (old) replay.inFlight += 1;
    try {
      this.#protocol.send(client, message, this.#connectedAt, (error) => this.#onSent(generation, message, old, error));
    } catch (error) {
      this.#inFlight -= 1;
      if (old) replay.inFlight -= 1;
      this.#unsendable += 1;
      this.#outbox.acknowledge(message.seq);
      this.#logger.error({ err: error, seq: message.seq }, 'a buffered message could not be encoded and is deleted');
    }
  }

  #onSent(generation: number, message: OutboxMessage, old: boolean, error: Error | undefined): void {
    if (generation !== this.#generation) return;
    this.#inFlight -= 1;
    const replay = this.#replay;
    if (old && replay !== null) replay.inFlight -= 1;
    if (error) {
      this.#publishErrors += 1;
    } else {
      this.#outbox.acknowledge(message.seq);
      this.#published += 1;
      this.#rate.add(1, Date.now());
      if (old && replay !== null) replay.sent += 1;
    }
    if (this.#inFlight === 0) {
      this.#drained?.();
      this.#drained = null;
    }
    if (this.#state !== 'stopped') this.#schedulePump();
  }

  #checkReplayDone(): void {
    const replay = this.#replay;
    if (replay === null || replay.finishedAt !== null || replay.inFlight > 0) return;
    for (const cls of MESSAGE_CLASSES) {
      const head = this.#head(cls);
      if (head !== undefined && head.seq <= replay.lastSeq) return;
    }
    replay.finishedAt = this.#outbox.now();
    const seconds = (replay.finishedAt - replay.startedAt) / 1000;
    this.#logger.info(
      { sent: replay.sent, backlog: replay.backlog, seconds },
      `uplink replayed ${replay.sent} buffered message(s) in ${seconds.toFixed(1)} s (${seconds > 0 ? Math.round(replay.sent / seconds) : replay.sent}/s)`,
    );
  }

  #burst(): number {
    return Math.max(1, Math.ceil(this.#settings.maxMessagesPerSecond / 20));
  }

  #takeToken(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.#burst(), this.#tokens + ((now - this.#tokensAt) * this.#settings.maxMessagesPerSecond) / 1000);
    this.#tokensAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #waitForToken(): void {
    const waitMs = Math.ceil(((1 - this.#tokens) * 1000) / this.#settings.maxMessagesPerSecond);
    this.#tokenTimer ??= setTimeout(() => {
      this.#tokenTimer = null;
      this.#pump();
    }, waitMs);
  }
}

function replayRate(replay: Replay, now: number): number {
  const seconds = ((replay.finishedAt ?? now) - replay.startedAt) / 1000;
  return seconds > 0 ? Math.round((replay.sent / seconds) * 10) / 10 : 0;
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
