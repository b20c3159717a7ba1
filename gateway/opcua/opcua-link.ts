import type { ClientSession, StatusCode } from 'node-opcua';
import { withDeadline } from './deadline.js';
import { MonitoredSubscription, type MonitoredSubscriptionEvents, type NodeFailure } from './monitored-subscription.js';
import type { SubscriptionSettings } from './monitoring-settings.js';
import { createOpcuaClient, explainConnectionError, redactEndpoint, userIdentityOf, type OpcuaClientParts, type OpcuaConnectionSettings } from './opcua-client-setup.js';
import type { OpcuaSourceConfig } from './opcua-source-config.js';
import { watchdogTiming, type WatchdogTiming } from './watchdog-timing.js';

export interface OpcuaLinkEvents extends Pick<MonitoredSubscriptionEvents, 'batch' | 'rejected'> {
  /** The nodes not monitored now (after opening, a subscription rebuild or a repair); empty when all are. */
  nodeFailures(failures: NodeFailure[]): void;
  /** Data stopped flowing: node-opcua lost the connection, or the watchdog heard nothing for too long. */
  interrupted(reason: string, detectedBy: 'connection' | 'watchdog'): void;
  /** Data flows again on this link: node-opcua reconnected, or the watchdog rebuilt the subscription. */
  restored(how: 'reconnected' | 'subscription_rebuilt'): void;
  /** One of node-opcua's reconnection attempts failed; it keeps trying. */
  repairAttemptFailed(reason: string): void;
}

export interface OpcuaLinkSettings {
  readonly config: OpcuaSourceConfig;
  readonly connection: OpcuaConnectionSettings;
  readonly subscription: SubscriptionSettings;
}

/** How long a goodbye to the server may take before the connection is simply dropped. */
const SESSION_CLOSE_TIMEOUT_MS = 5000;

type RepairPhase = { readonly phase: 'up' } | { readonly phase: 'channel_lost' | 'session_repair'; readonly since: number };

/**
 * One client, session and subscription to one server: a single attempt at a data path.
 *
 * Short breaks are repaired inside the link by node-opcua (new channel, session reactivated or recreated,
 * subscription transferred or recreated with the same monitored items). A watchdog on notifications and
 * keep-alives covers what that misses: a silent subscription gets rebuilt on the same session; when that fails,
 * when node-opcua's repair stalls, or when the connection closes for good, `broken` resolves and the owner
 * replaces the whole link.
 */
export class OpcuaLink {
  /** Resolves with the reason once this link cannot carry data any more (or was closed). */
  readonly broken: Promise<string>;

  readonly #settings: OpcuaLinkSettings;
  readonly #events: OpcuaLinkEvents;
  #resolveBroken: (reason: string) => void = () => undefined;
  #parts: OpcuaClientParts | null = null;
  #session: ClientSession | null = null;
  #monitored: MonitoredSubscription | null = null;
  #timing: WatchdogTiming | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  #repair: RepairPhase = { phase: 'up' };
  #lastAliveAt = 0;
  #lastRebuildAt = Number.NEGATIVE_INFINITY;
  #rebuilding = false;
  #subscriptionGeneration = 0;
  /** Broken or closing: nothing more is reported. */
  #ended = false;
  #closing: Promise<void> | null = null;

  constructor(settings: OpcuaLinkSettings, events: OpcuaLinkEvents) {
    this.#settings = settings;
    this.#events = events;
    this.broken = new Promise((resolve) => {
      this.#resolveBroken = resolve;
    });
  }

  /** Connects, opens a session and subscribes. Throws a message a person can act on; cleans up after itself. */
  async open(): Promise<void> {
    const { config, connection } = this.#settings;
    // Checked before anything is made: a close() that already ran found nothing to release.
    this.#throwIfClosing();
    let monitored: MonitoredSubscription;
    try {
      const parts = createOpcuaClient(connection, `millwright-${config.id}`);
      this.#parts = parts;
      await parts.client.connect(connection.endpoint);
      this.#throwIfClosing();
      const session = await parts.client.createSession(userIdentityOf(connection.auth));
      this.#session = session;
      this.#throwIfClosing();
      monitored = await this.#openSubscription(session);
      this.#monitored = monitored;
      this.#throwIfClosing();
    } catch (error) {
      const closedMeanwhile = this.#closing !== null;
      await this.close();
      throw new Error(closedMeanwhile ? 'closed while connecting' : explainConnectionError(error, connection));
    }
    this.#listen();
    this.#startWatchdog(monitored.keepAliveIntervalMs);
    this.#events.nodeFailures(monitored.failedNodes());
  }

  /** The subscription's keep-alive interval as revised by the server, once open. */
  get keepAliveIntervalMs(): number | null {
    return this.#monitored?.keepAliveIntervalMs ?? null;
  }

  /** Stops the watchdog and reports, closes session and connection. Idempotent; never throws. */
  close(): Promise<void> {
    this.#closing ??= this.#teardown();
    return this.#closing;
  }

  async #teardown(): Promise<void> {
    this.#ended = true;
    this.#stopWatchdog();
    this.#unlisten();
    this.#monitored?.detach();
    this.#resolveBroken('closed');
    const parts = this.#parts;
    if (!parts) return;
    // Closing the session deletes its subscriptions on the server. Over a connection that died silently no
    // answer comes: the server then drops the session itself when it times out.
    if (this.#session) await withDeadline(this.#session.close(true), SESSION_CLOSE_TIMEOUT_MS, 'closing the session').catch(() => undefined);
    await parts.client.disconnect().catch(() => undefined);
    await parts.certificateManager.dispose().catch(() => undefined);
  }

  #throwIfClosing(): void {
    if (this.#closing) throw new Error('closed while connecting');
  }

  /** Only the newest subscription of a link that still works may report; older ones may linger a moment. */
  #openSubscription(session: ClientSession): Promise<MonitoredSubscription> {
    const generation = ++this.#subscriptionGeneration;
    const current = () => generation === this.#subscriptionGeneration && !this.#ended;
    return MonitoredSubscription.open(session, this.#settings.config, this.#settings.subscription, {
      batch: (samples) => {
        if (current()) this.#events.batch(samples);
      },
      rejected: (node, reason, detail) => {
        if (current()) this.#events.rejected(node, reason, detail);
      },
      alive: () => {
        if (current()) this.#lastAliveAt = performance.now();
      },
      ended: (reason) => {
        if (!current() || this.#rebuilding) return;
        this.#events.interrupted(reason, 'watchdog');
        void this.#rebuildSubscription(reason);
      },
    });
  }

  // ---- node-opcua's own repair --------------------------------------------------------------------------

  #listen(): void {
    const client = this.#parts?.client;
    client?.on('connection_lost', this.#onConnectionLost);
    client?.on('after_reconnection', this.#onChannelBack);
    client?.on('connection_reestablished', this.#onReestablished);
    client?.on('reconnection_attempt_has_failed', this.#onRepairAttemptFailed);
    client?.on('close', this.#onClose);
    this.#session?.on('session_closed', this.#onSessionClosed);
  }

  #unlisten(): void {
    const client = this.#parts?.client;
    client?.off('connection_lost', this.#onConnectionLost);
    client?.off('after_reconnection', this.#onChannelBack);
    client?.off('connection_reestablished', this.#onReestablished);
    client?.off('reconnection_attempt_has_failed', this.#onRepairAttemptFailed);
    client?.off('close', this.#onClose);
    this.#session?.off('session_closed', this.#onSessionClosed);
  }

  readonly #onConnectionLost = (): void => {
    this.#repair = { phase: 'channel_lost', since: performance.now() };
    this.#events.interrupted(`the connection to ${redactEndpoint(this.#settings.connection.endpoint)} was lost; reconnecting`, 'connection');
  };

  readonly #onChannelBack = (): void => {
    this.#repair = { phase: 'session_repair', since: performance.now() };
  };

  readonly #onReestablished = (): void => {
    this.#repair = { phase: 'up' };
    this.#lastAliveAt = performance.now();
    this.#events.restored('reconnected');
    if (this.#monitored) this.#events.nodeFailures(this.#monitored.failedNodes());
  };

  readonly #onRepairAttemptFailed = (error: Error): void => {
    const reason = explainConnectionError(error, this.#settings.connection);
    this.#events.repairAttemptFailed(reason);
    // node-opcua keeps its certificate manager for the whole client: a certificate trusted meanwhile is only
    // seen by a new client.
    if (/verification failed/i.test(error.message)) this.#break(reason);
  };

  readonly #onClose = (error?: Error | null): void => {
    this.#break(`the connection closed${error ? `: ${error.message}` : ''}`);
  };

  readonly #onSessionClosed = (status: StatusCode): void => {
    this.#break(`the session was closed (${status.toString()})`);
  };

  #break(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stopWatchdog();
    this.#resolveBroken(reason);
  }

  // ---- watchdog ----------------------------------------------------------------------------------------

  #startWatchdog(keepAliveIntervalMs: number): void {
    this.#timing = watchdogTiming(keepAliveIntervalMs);
    this.#lastAliveAt = performance.now();
    this.#watchdog = setInterval(this.#check, this.#timing.checkEveryMs);
  }

  #stopWatchdog(): void {
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#watchdog = null;
  }

  readonly #check = (): void => {
    const timing = this.#timing;
    if (!timing || this.#ended || this.#rebuilding) return;
    const now = performance.now();
    const repair = this.#repair;
    if (repair.phase === 'channel_lost' && now - repair.since > timing.channelRepairLimitMs) {
      this.#break(`node-opcua has not reconnected within ${seconds(timing.channelRepairLimitMs)}`);
    } else if (repair.phase === 'session_repair' && now - repair.since > timing.sessionRepairLimitMs) {
      this.#break(`the server answers again but node-opcua has not restored the session within ${seconds(timing.sessionRepairLimitMs)}`);
    } else if (repair.phase === 'up') {
      const silence = now - Math.max(this.#lastAliveAt, this.#lastRebuildAt);
      if (silence <= timing.silenceLimitMs) return;
      const keepAlive = this.#monitored?.keepAliveIntervalMs ?? 0;
      const reason = `no notification or keep-alive for ${seconds(silence)} (the server promised one at least every ${seconds(keepAlive)})`;
      this.#events.interrupted(reason, 'watchdog');
      if (this.#lastRebuildAt > this.#lastAliveAt) this.#break(`${reason}, even after rebuilding the subscription`);
      else void this.#rebuildSubscription(reason);
    }
  };

  async #rebuildSubscription(reason: string): Promise<void> {
    const session = this.#session;
    const timing = this.#timing;
    if (!session || !timing) return;
    this.#rebuilding = true;
    this.#lastRebuildAt = performance.now();
    void this.#monitored?.terminate();
    try {
      const monitored = await withDeadline(this.#openSubscription(session), timing.rebuildTimeoutMs, 'rebuilding the subscription');
      if (this.#ended) {
        void monitored.terminate();
        return;
      }
      this.#monitored = monitored;
      this.#events.restored('subscription_rebuilt');
      this.#events.nodeFailures(monitored.failedNodes());
    } catch (error) {
      this.#break(`${reason}; rebuilding the subscription failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.#rebuilding = false;
    }
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
