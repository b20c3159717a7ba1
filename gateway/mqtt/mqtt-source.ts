import { hostname } from 'node:os';
import { connect, type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import { silentLogger, type Logger } from '../logger.js';
import type { EmitBatch, Sample } from '../sample.js';
import type { ConnectionState, Source, SourceHealth } from '../source.js';
import { DeadLetters, type DeadLetter } from './dead-letters.js';
import { compileMapping } from './mqtt-mapping.js';
import type { MqttSourceConfig } from './mqtt-source-config.js';
import { connectionErrorText, credentialOptions, isCertificateError, readTlsOptions, unencryptedTlsProblem, withoutCredentials, type MqttTlsClientOptions } from './mqtt-security-options.js';
import { PayloadDecoder, type KnownSignal } from './payload-decoder.js';
import { RejectLog } from './reject-log.js';
import type { Reject } from './reject.js';
import { coveringFilters, filtersOverlap } from './topic-pattern.js';

export interface MqttSourceOptions {
  readonly logger?: Logger;
  /** Readings of asset/signal pairs it refuses are rejected as 'unknown_signal'; without it every pair is taken. */
  readonly knownSignal?: KnownSignal;
  /** The broker URL to use when `config.url` is "embedded" (the embedded broker's `url`). */
  readonly brokerUrl?: string;
}

const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;
const DEFAULT_DEAD_LETTER_CAPACITY = 100;
const RECONNECT_PERIOD_MS = 1000;
const CONNECT_TIMEOUT_MS = 10_000;
/** Samples of messages decoded in one I/O turn go out as one batch, flushed early past this size. */
const MAX_BATCH_SAMPLES = 5000;
const ERROR_LOG_INTERVAL_MS = 10_000;
const URL_PROTOCOLS = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];

/**
 * Subscribes to the topics of an MQTT source's mappings and turns each message into samples.
 * A persistent session (stable client id, clean: false, QoS 1 by default) lets the broker keep
 * messages while the gateway is away; mqtt.js reconnects every second and the source subscribes
 * again whenever the broker has lost the session. Bad messages are counted, kept as dead letters
 * and logged at a bounded rate; they never stop the source.
 */
export class MqttSource implements Source {
  readonly id: string;
  readonly #config: MqttSourceConfig;
  readonly #url: string;
  readonly #target: string;
  readonly #filters: string[];
  readonly #logger: Logger;
  readonly #decoder: PayloadDecoder;
  readonly #deadLetters: DeadLetters;
  readonly #rejectLog: RejectLog;
  readonly #rejects: Reject[] = [];

  #client: MqttClient | null = null;
  #emit: EmitBatch | null = null;
  #settleStart: (() => void) | null = null;
  #state: ConnectionState = 'stopped';
  #connects = 0;
  #reconnects = 0;
  #samplesIn = 0;
  #lastSampleAt: number | null = null;
  #lastError: string | null = null;
  #lastLoggedError: string | null = null;
  #pending: Sample[] = [];
  #flushTask: NodeJS.Immediate | null = null;
  #bugLoggedAt = Number.NEGATIVE_INFINITY;

  /** Throws an Error naming the source and the mapping when the configuration cannot work. */
  constructor(config: MqttSourceConfig, options: MqttSourceOptions = {}) {
    this.id = config.id;
    this.#config = config;
    const fail = (what: string): never => {
      throw new Error(`mqtt source "${config.id}": ${what}`);
    };
    this.#logger = (options.logger ?? silentLogger).child({ source: config.id });

    const mappings = config.mappings.map((mapping, index) => {
      try {
        return compileMapping(mapping, index);
      } catch (error) {
        return fail((error as Error).message);
      }
    });

    if (config.url === 'embedded') {
      this.#url = options.brokerUrl ?? fail('url is "embedded" but no embedded broker URL was given (options.brokerUrl); start the embedded broker first');
    } else {
      this.#url = config.url;
    }
    this.#target = withoutCredentials(this.#url) ?? fail(`url "${this.#url}" is not a URL; write e.g. "mqtt://127.0.0.1:1883" or "embedded"`);
    const protocol = new URL(this.#url).protocol;
    if (!URL_PROTOCOLS.includes(protocol)) fail(`url "${this.#target}" uses ${protocol} but only mqtt://, mqtts://, ws:// and wss:// are supported`);
    if (unencryptedTlsProblem(this.#url, config.tls) !== null) fail(`tls is set but url "${this.#target}" is not encrypted; use mqtts:// or wss://`);

    this.#filters = coveringFilters(mappings.map((mapping) => mapping.topic.filter));
    this.#warnAboutOverlaps(mappings.map((mapping) => mapping.topic.pattern));
    this.#decoder = new PayloadDecoder({
      sourceId: config.id,
      mappings,
      maxPayloadBytes: config.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
      ...(options.knownSignal === undefined ? {} : { knownSignal: options.knownSignal }),
    });
    this.#deadLetters = new DeadLetters(config.deadLetterCapacity ?? DEFAULT_DEAD_LETTER_CAPACITY);
    this.#rejectLog = new RejectLog(this.#logger);
  }

  /**
   * Connects and subscribes. Resolves once subscribed, or once the first attempt has failed (the
   * source keeps trying; see health()). Rejects only on what retrying cannot fix (unreadable TLS files).
   */
  async start(emit: EmitBatch): Promise<void> {
    if (this.#state !== 'stopped') throw new Error(`mqtt source "${this.id}" is already started`);
    this.#state = 'connecting';
    let tls: MqttTlsClientOptions;
    try {
      tls = await readTlsOptions(this.#config.tls, `mqtt source "${this.id}"`);
    } catch (error) {
      this.#state = 'stopped';
      throw error;
    }
    // stop() may have run while the files were read (the compiler cannot know: it narrowed #state above).
    if ((this.#state as ConnectionState) === 'stopped') return;
    this.#emit = emit;
    const options: IClientOptions = {
      clientId: this.#config.clientId ?? `millwright-${hostname()}-${this.id}`,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: RECONNECT_PERIOD_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Subscriptions are renewed here, on every connect whose session the broker has lost.
      resubscribe: false,
      reconnectOnConnackError: true,
      ...credentialOptions(this.#config.auth),
      ...tls,
    };
    this.#connects = 0;
    const started = new Promise<void>((resolve) => {
      this.#settleStart = resolve;
    });
    const client = connect(this.#url, options);
    this.#client = client;
    client.on('connect', (connack) => this.#onConnect(client, connack));
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    client.on('reconnect', () => {
      if (this.#state !== 'stopped') this.#state = 'connecting';
    });
    client.on('close', () => this.#onClose());
    client.on('error', (error) => this.#onError(error));
    this.#logger.info({ target: this.#target, clientId: options.clientId, filters: this.#filters }, 'MQTT source starting');
    return started;
  }

  async stop(): Promise<void> {
    const client = this.#client;
    this.#state = 'stopped';
    this.#client = null;
    this.#settleStart?.();
    this.#settleStart = null;
    if (client !== null) await client.endAsync();
    this.#flush();
    this.#rejectLog.close();
  }

  health(): SourceHealth {
    return {
      id: this.id,
      kind: 'mqtt',
      state: this.#state,
      target: this.#target,
      samplesIn: this.#samplesIn,
      rejected: this.#deadLetters.countsByReason(),
      reconnects: this.#reconnects,
      lastSampleAt: this.#lastSampleAt,
      lastError: this.#lastError,
    };
  }

  /** The most recent rejected messages, newest first (up to `deadLetterCapacity`). */
  deadLetters(): DeadLetter[] {
    return this.#deadLetters.list();
  }

  #onConnect(client: MqttClient, connack: IConnackPacket): void {
    this.#connects++;
    if (this.#connects > 1) this.#reconnects++;
    this.#lastLoggedError = null;
    // The first connect after start() always subscribes: the mappings may have changed since the broker's session was made.
    if (connack.sessionPresent && this.#connects > 1) {
      this.#connected('session resumed');
      return;
    }
    const qos = this.#config.qos ?? 1;
    client.subscribe(
      Object.fromEntries(this.#filters.map((filter) => [filter, { qos }])),
      (error, granted) => {
        if (this.#client !== client) return;
        if (error) {
          // The connection dropped before the broker answered; the next connect subscribes again.
          this.#onError(error);
          return;
        }
        const refused = (granted ?? []).filter((grant) => grant.qos === 128).map((grant) => grant.topic);
        if (refused.length > 0) {
          this.#lastError = `broker refused the subscription to ${refused.map((t) => `"${t}"`).join(', ')}; check the broker's access rules for this client/user`;
          this.#logger.error({ target: this.#target, refused }, this.#lastError);
        }
        this.#connected('subscribed');
      },
    );
  }

  #connected(how: string): void {
    if (this.#state === 'stopped') return;
    this.#state = 'connected';
    this.#logger.info({ target: this.#target, reconnects: this.#reconnects }, `MQTT source connected (${how})`);
    this.#settleStart?.();
    this.#settleStart = null;
  }

  #onClose(): void {
    if (this.#state === 'stopped') return;
    if (this.#state === 'connected') {
      this.#lastError = `connection lost at ${new Date().toISOString()}`;
      this.#logger.warn({ target: this.#target }, `MQTT connection lost; reconnecting every ${RECONNECT_PERIOD_MS / 1000} s`);
    }
    this.#state = 'disconnected';
    this.#settleStart?.();
    this.#settleStart = null;
  }

  #onError(error: Error): void {
    if (this.#state === 'stopped') return;
    this.#lastError = describeConnectionError(error);
    if (this.#lastError === this.#lastLoggedError) return;
    this.#lastLoggedError = this.#lastError;
    this.#logger.warn({ target: this.#target, err: error }, `MQTT connection problem: ${this.#lastError}; retrying every ${RECONNECT_PERIOD_MS / 1000} s`);
  }

  #onMessage(topic: string, payload: Buffer): void {
    const arrivalMs = Date.now();
    const rejects = this.#rejects;
    try {
      this.#decoder.decode(topic, payload, arrivalMs, this.#pending, rejects);
    } catch (error) {
      this.#reportBug(`decoding a message on "${topic}" failed unexpectedly`, error);
    }
    if (rejects.length > 0) {
      this.#deadLetters.record(arrivalMs, topic, payload, rejects);
      this.#rejectLog.note(topic, rejects);
      rejects.length = 0;
    }
    if (this.#pending.length >= MAX_BATCH_SAMPLES) this.#flush();
    else if (this.#pending.length > 0) this.#flushTask ??= setImmediate(() => this.#flush());
  }

  #flush(): void {
    if (this.#flushTask !== null) clearImmediate(this.#flushTask);
    this.#flushTask = null;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    this.#samplesIn += batch.length;
    this.#lastSampleAt = Date.now();
    try {
      this.#emit?.(batch);
    } catch (error) {
      this.#reportBug('the receiver of samples threw', error);
    }
  }

  /** Faults of code, not of input: logged at most every ERROR_LOG_INTERVAL_MS, never thrown into mqtt.js. */
  #reportBug(what: string, error: unknown): void {
    this.#lastError = `${what}: ${(error as Error).message}`;
    const now = Date.now();
    if (now - this.#bugLoggedAt < ERROR_LOG_INTERVAL_MS) return;
    this.#bugLoggedAt = now;
    this.#logger.error({ err: error }, this.#lastError);
  }

  #warnAboutOverlaps(patterns: readonly string[]): void {
    for (let i = 0; i < this.#filters.length; i++) {
      for (let j = i + 1; j < this.#filters.length; j++) {
        const a = this.#filters[i] as string;
        const b = this.#filters[j] as string;
        if (!filtersOverlap(a, b)) continue;
        this.#logger.warn(
          { filters: [a, b], patterns },
          `topic filters "${a}" and "${b}" overlap without one containing the other: brokers that send one copy per matching subscription (mosquitto does) will deliver messages on their shared topics twice, as duplicate samples; make the mappings' topics disjoint or one contain the other`,
        );
      }
    }
  }
}

/** The error's message with what to check; OpenSSL's long messages are cut to their reason. */
function describeConnectionError(error: Error): string {
  return `${connectionErrorText(error)}${connectionHint((error as Error & { code?: unknown }).code)}`;
}

function connectionHint(code: unknown): string {
  switch (code) {
    case 'ECONNREFUSED':
      return ' (is the broker running and listening at that address?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return ' (check the host name in the url)';
    case 2:
    case 133:
      return ' (set a clientId the broker accepts in the source config; MQTT 3.1 brokers allow at most 23 characters)';
    case 4:
    case 5:
    case 134:
    case 135:
      return " (check auth.username and auth.password in the source config, and the broker's access rules)";
  }
  if (typeof code !== 'string') return '';
  // Alerts come from the broker refusing our side of the handshake, typically the client certificate.
  if (code.startsWith('ERR_SSL_') && code.includes('ALERT')) return ' (the broker refused the TLS handshake: check tls.certFile and tls.keyFile)';
  if (isCertificateError(code)) return " (check tls.caFile and that the broker certificate names the url's host)";
  return '';
}
