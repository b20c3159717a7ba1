import { silentLogger, type Logger } from '../logger.js';
import type { EmitBatch, Sample } from '../sample.js';
import type { ConnectionState, Source, SourceHealth } from '../source.js';
import type { ReadingRejection } from './data-value-reading.js';
import { withDeadline } from './deadline.js';
import type { NodeFailure } from './monitored-subscription.js';
import { subscriptionSettings, type SubscriptionSettings } from './monitoring-settings.js';
import {
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  FIRST_RECONNECT_DELAY_MS,
  redactEndpoint,
  resolvePkiFolder,
  type OpcuaConnectionSettings,
} from './opcua-client-setup.js';
import { OpcuaLink } from './opcua-link.js';
import { checkSecuritySettings, type OpcuaNodeMapping, type OpcuaSourceConfig } from './opcua-source-config.js';

export interface OpcuaSourceOptions {
  readonly logger?: Logger;
  /** PKI folder used when the config sets no `certificateFolder` (e.g. `<data dir>/pki/<source id>`). */
  readonly pkiFolder?: string;
}

export interface FailedNode {
  readonly nodeId: string;
  readonly asset: string;
  readonly signal: string;
  /** The OPC UA status the server answered, e.g. "BadNodeIdUnknown (0x80340000)". */
  readonly status: string;
}

export interface OpcuaSourceHealth extends SourceHealth {
  readonly kind: 'opcua';
  /** Times the watchdog found the data path silent (or the server ended the subscription) and rebuilt it. */
  readonly watchdogRebuilds: number;
  /** Mapped nodes that are not monitored, with the server's reason. */
  readonly failedNodes: readonly FailedNode[];
}

/** Longest a whole connection attempt (connect, session, subscription, monitored items) may take. */
const OPEN_TIMEOUT_MS = 15_000;

/**
 * Reads the mapped nodes of one OPC UA server through one subscription and emits a batch of Samples per
 * notification message. Reconnects on its own, forever: node-opcua repairs short breaks in place; when that
 * stalls, or the watchdog hears nothing, the whole client is replaced (see OpcuaLink).
 */
export class OpcuaSource implements Source {
  readonly id: string;

  readonly #config: OpcuaSourceConfig;
  readonly #log: Logger;
  readonly #connection: OpcuaConnectionSettings;
  readonly #subscription: SubscriptionSettings;

  #emit: EmitBatch | null = null;
  #state: ConnectionState = 'stopped';
  #stopping = false;
  #supervision: Promise<void> | null = null;
  #link: OpcuaLink | null = null;
  readonly #retiring = new Set<Promise<void>>();
  #wakeUp: () => void = () => undefined;

  #samplesIn = 0;
  #rejected: Record<string, number> = {};
  #reconnects = 0;
  #watchdogRebuilds = 0;
  #lastSampleAt: number | null = null;
  #lastError: string | null = null;
  #failedNodes: readonly FailedNode[] = [];
  /** `${nodeId} ${asset}/${signal} ${reason}` already logged: one line per node and cause, not per value. */
  readonly #reported = new Set<string>();
  #interruptedAt: number | null = null;
  #lastAttemptError: string | null = null;

  constructor(config: OpcuaSourceConfig, options: OpcuaSourceOptions = {}) {
    const where = `OPC UA source '${config.id}'`;
    checkSecuritySettings(config.security, where);
    this.id = config.id;
    this.#config = config;
    this.#log = (options.logger ?? silentLogger).child({ source: config.id });
    this.#subscription = subscriptionSettings(config);
    const keepAliveMs = this.#subscription.publishingInterval * this.#subscription.keepAliveCount;
    this.#connection = {
      endpoint: config.endpoint,
      security: config.security,
      auth: config.auth,
      pkiFolder: resolvePkiFolder(config.certificateFolder, options.pkiFolder, where),
      maxReconnectDelay: config.maxReconnectDelay ?? DEFAULT_MAX_RECONNECT_DELAY_MS,
      // node-opcua refuses a subscription whose keep-alive interval exceeds the session timeout.
      sessionTimeout: Math.max(60_000, 3 * keepAliveMs),
    };
  }

  /** Resolves after the first connection attempt, connected or not; from then on it keeps (re)connecting. */
  async start(emit: EmitBatch): Promise<void> {
    if (this.#supervision) throw new Error(`OPC UA source '${this.id}' is already started`);
    this.#emit = emit;
    this.#stopping = false;
    this.#state = 'connecting';
    let firstAttemptDone: () => void = () => undefined;
    const firstAttempt = new Promise<void>((resolve) => {
      firstAttemptDone = resolve;
    });
    this.#supervision = this.#supervise(firstAttemptDone);
    await firstAttempt;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wakeUp();
    const link = this.#link;
    if (link) this.#retire(link);
    await this.#supervision;
    await Promise.all(this.#retiring);
    this.#supervision = null;
    this.#emit = null;
    this.#state = 'stopped';
  }

  health(): OpcuaSourceHealth {
    return {
      id: this.id,
      kind: 'opcua',
      state: this.#state,
      target: redactEndpoint(this.#config.endpoint),
      samplesIn: this.#samplesIn,
      rejected: { ...this.#rejected },
      reconnects: this.#reconnects,
      lastSampleAt: this.#lastSampleAt,
      lastError: this.#lastError,
      watchdogRebuilds: this.#watchdogRebuilds,
      failedNodes: this.#failedNodes,
    };
  }

  async #supervise(firstAttemptDone: () => void): Promise<void> {
    let failedAttempts = 0;
    let everConnected = false;
    while (!this.#stopping) {
      const link = this.#newLink();
      this.#link = link;
      try {
        await withDeadline(link.open(), OPEN_TIMEOUT_MS, `connecting to ${redactEndpoint(this.#config.endpoint)}`);
      } catch (error) {
        this.#retire(link);
        firstAttemptDone();
        if (this.#stopping) break;
        this.#attemptFailed(error instanceof Error ? error.message : String(error));
        failedAttempts += 1;
        await this.#sleep(Math.min(this.#connection.maxReconnectDelay, FIRST_RECONNECT_DELAY_MS * 2 ** (failedAttempts - 1)));
        continue;
      }
      failedAttempts = 0;
      this.#lastAttemptError = null;
      if (everConnected) {
        this.#reconnects += 1;
        this.#restored('connected again with a new client and session');
      } else {
        this.#firstConnected(link);
      }
      everConnected = true;
      firstAttemptDone();

      const reason = await link.broken;
      this.#retire(link);
      if (this.#stopping) break;
      this.#interrupted(`replacing the connection: ${reason}`);
    }
    this.#link = null;
  }

  #newLink(): OpcuaLink {
    return new OpcuaLink(
      { config: this.#config, connection: this.#connection, subscription: this.#subscription },
      {
        batch: (samples) => this.#deliver(samples),
        rejected: (node, reason, detail) => this.#reject(node, reason, detail),
        nodeFailures: (failures) => this.#noteNodeFailures(failures),
        interrupted: (reason, detectedBy) => {
          if (detectedBy === 'watchdog') this.#watchdogRebuilds += 1;
          this.#interrupted(reason);
        },
        restored: (how) => {
          if (how === 'reconnected') this.#reconnects += 1;
          this.#restored(how === 'reconnected' ? 'node-opcua restored the session' : 'the watchdog rebuilt the subscription');
        },
        repairAttemptFailed: (reason) => this.#attemptFailed(reason),
      },
    );
  }

  /** Closes a link in the background; stop() waits for all of them. */
  #retire(link: OpcuaLink): void {
    if (this.#link === link) this.#link = null;
    const closing = link.close().finally(() => this.#retiring.delete(closing));
    this.#retiring.add(closing);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #deliver(samples: Sample[]): void {
    this.#samplesIn += samples.length;
    this.#lastSampleAt = Date.now();
    try {
      this.#emit?.(samples);
    } catch (error) {
      this.#log.error({ err: error }, `the receiver of OPC UA samples threw; ${samples.length} samples from ${redactEndpoint(this.#config.endpoint)} lost`);
    }
  }

  #reject(node: OpcuaNodeMapping, reason: ReadingRejection, detail: string): void {
    this.#rejected[reason] = (this.#rejected[reason] ?? 0) + 1;
    const key = `${node.nodeId} ${node.asset}/${node.signal} ${reason}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.#log.warn(
      { nodeId: node.nodeId, asset: node.asset, signal: node.signal, reason },
      `node ${node.nodeId} (${node.asset}/${node.signal}) sent ${detail}; only numbers and booleans become samples, so its values are rejected as ${reason} (logged once per node)`,
    );
  }

  #noteNodeFailures(failures: NodeFailure[]): void {
    this.#failedNodes = failures.map(({ node, status }) => ({ nodeId: node.nodeId, asset: node.asset, signal: node.signal, status }));
    for (const { node, status } of failures) {
      const key = `${node.nodeId} ${node.asset}/${node.signal} ${status}`;
      if (this.#reported.has(key)) continue;
      this.#reported.add(key);
      this.#rejected['monitor_failed'] = (this.#rejected['monitor_failed'] ?? 0) + 1;
      const message =
        `cannot monitor node ${node.nodeId} (${node.asset}/${node.signal}) on ${redactEndpoint(this.#config.endpoint)}: ${status}. ` +
        `Check the node id and its settings in source '${this.id}' ('millwright browse' lists the server's variables); the other nodes are read.`;
      this.#lastError = message;
      this.#log.error({ nodeId: node.nodeId, asset: node.asset, signal: node.signal, status }, message);
    }
  }

  #firstConnected(link: OpcuaLink): void {
    const total = this.#config.nodes.length;
    const monitoring = total - this.#failedNodes.length;
    const endpoint = redactEndpoint(this.#config.endpoint);
    this.#state = 'connected';
    this.#log.info({ endpoint, monitoring, total, keepAliveMs: link.keepAliveIntervalMs }, `connected to ${endpoint}; monitoring ${monitoring} of ${total} nodes`);
  }

  #interrupted(reason: string): void {
    this.#interruptedAt ??= performance.now();
    this.#lastError = reason;
    this.#state = 'disconnected';
    this.#log.warn({ reason }, `OPC UA data interrupted: ${reason}`);
  }

  #restored(how: string): void {
    const outage = this.#interruptedAt === null ? null : performance.now() - this.#interruptedAt;
    this.#interruptedAt = null;
    this.#state = 'connected';
    this.#log.info({ outageMs: outage === null ? null : Math.round(outage) }, `OPC UA data flowing again: ${how}${outage === null ? '' : ` after ${(outage / 1000).toFixed(1)} s`}`);
  }

  /** Every failed attempt is recorded; a line is logged only when the reason changes, not every few seconds of an outage. */
  #attemptFailed(reason: string): void {
    this.#lastError = reason;
    if (reason === this.#lastAttemptError) {
      this.#log.debug({ reason }, `still cannot connect: ${reason}`);
      return;
    }
    this.#lastAttemptError = reason;
    this.#log.warn({ reason }, `cannot connect (retrying up to every ${this.#connection.maxReconnectDelay} ms): ${reason}`);
  }
}
