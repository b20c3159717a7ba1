import { silentLogger, type Logger } from '../../gateway/logger.js';
import type { AuditLog, AuditOutcome } from '../store/audit-log.js';
import type { BoxDatabase } from '../store/box-database.js';
import { systemClock, type Clock, type TimerHandle } from '../store/clock.js';
import { optionalText, requireAlertId, requireText, requireUser, shelveUntil, type ShelveDuration } from './action-input.js';
import { AlertActionError } from './alert-action-error.js';
import {
  acknowledgeStep,
  assertCanRemoveFromService,
  assertCanReturnToService,
  assertCanShelve,
  assertCanUnshelve,
  assertOpen,
  conditionStep,
  unsuppressedState,
} from './alert-lifecycle.js';
import { resolveAlertPolicy, type AlertPolicy, type ResolvedAlertPolicy } from './alert-policy.js';
import { AlertStore } from './alert-store.js';
import {
  OPEN_ALERT_STATES,
  SYSTEM_USER,
  type Alert,
  type AlertEvent,
  type AlertEventCause,
  type AlertEventType,
  type AlertState,
  type OpenAlertState,
} from './alert.js';
import { ConditionDebouncer, type DebouncedCondition } from './condition-debouncer.js';
import { PRIORITY_RANK, reportProblem, type AlertPriority, type ConditionReport } from './condition-report.js';
import { FloodDetector, type FloodState } from './flood-detector.js';

export interface AlertEngineOptions {
  /** Opened with alertsSchema among its schemas. */
  readonly database: BoxDatabase;
  readonly policy?: AlertPolicy;
  readonly clock?: Clock;
  /** Every alert action (done or refused) is recorded here; callers need not record them again. */
  readonly audit?: AuditLog;
  readonly logger?: Logger;
}

export interface AlertFilter {
  /** Default: every open state (all but normal). */
  readonly states?: readonly AlertState[];
  readonly priorities?: readonly AlertPriority[];
  readonly assets?: readonly string[];
  /** Adds closed (normal) alerts, newest first within a priority, up to the limit. */
  readonly includeNormal?: boolean;
  /** Default 500, at most 1000. */
  readonly limit?: number;
}

export interface AlertWithHistory {
  readonly alert: Alert;
  /** Oldest first; the newest 500 when there are more. */
  readonly events: readonly AlertEvent[];
}

export interface AlertEventPage {
  /** Oldest first, ids consecutive unless `resync`. */
  readonly events: readonly AlertEvent[];
  readonly latestEventId: number;
  /** Ask again after the last id of this page. */
  readonly hasMore: boolean;
  /**
   * The position cannot be resumed without loss (the id is beyond this database's events, or events
   * in between were lost): reload the alert list and continue after latestEventId.
   */
  readonly resync: boolean;
}

export interface ActionResult {
  readonly alert: Alert;
  readonly event: AlertEvent;
}

export type AlertCounts = Record<OpenAlertState, number>;

export interface RejectedReport {
  readonly at: number;
  readonly reason: string;
  readonly report: unknown;
}

export interface AlertEngineStats {
  readonly reportsReceived: number;
  readonly reportsRejected: number;
  readonly events: number;
  readonly listenerErrors: number;
  readonly conditionsTracked: number;
  readonly openAlerts: number;
  /** Events waiting for the disk (see the database's health). */
  readonly pendingEvents: number;
  readonly lostEvents: number;
}

export type AlertEventListener = (event: AlertEvent) => void;

type MutableAlert = { -readonly [K in keyof Alert]: Alert[K] };

interface TrackedCondition extends DebouncedCondition {
  readonly conditionId: string;
  priority: AlertPriority;
  /** The newest report; an activation takes its message and details from it. */
  latest: ConditionReport | undefined;
  /** The open alert of this condition, if any. */
  alert: MutableAlert | undefined;
}

const DEFAULT_PAGE = 200;
const MAX_PAGE = 1000;
const DEFAULT_LIST_LIMIT = 500;
const HISTORY_LIMIT = 500;
const REJECTED_KEPT = 50;

/**
 * The alarm lifecycle (ISA-18.2 / IEC 62682) of every condition detection reports: on/off delays, one
 * alert per condition, acknowledge, shelve, out of service, flood detection. Each transition is an
 * event with a consecutive id, stored in SQLite with the alert's new state and handed to subscribers.
 * Everything happens synchronously; storage failures never stop it (they are counted and retried).
 */
export class AlertEngine {
  private readonly conditions = new Map<string, TrackedCondition>();
  private readonly openAlerts = new Map<number, MutableAlert>();
  private readonly expiryTimers = new Map<number, TimerHandle>();
  private readonly listeners = new Set<AlertEventListener>();
  private readonly outbox: AlertEvent[] = [];
  private readonly rejected: RejectedReport[] = [];
  private readonly loggedRejections = new Set<string>();
  private readonly policy: ResolvedAlertPolicy;
  private readonly store: AlertStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly debouncer: ConditionDebouncer<TrackedCondition>;
  private readonly floodDetector: FloodDetector;
  private nextEventId: number;
  private nextAlertId: number;
  private phase: 'loaded' | 'running' | 'stopped' = 'loaded';
  private notifying = false;
  private reportsReceived = 0;
  private reportsRejected = 0;
  private eventCount = 0;
  private listenerErrors = 0;

  /** Loads the open alerts; nothing fires before start(). */
  constructor(private readonly options: AlertEngineOptions) {
    this.policy = resolveAlertPolicy(options.policy);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.store = new AlertStore(options.database);
    this.debouncer = new ConditionDebouncer<TrackedCondition>(this.clock, (condition, active, cause) => {
      this.settle(condition, active, cause);
      if (cause === 'delay') this.commit();
    });
    this.floodDetector = new FloodDetector(this.policy.flood, this.clock, (state, cause) => {
      const type = state.active ? 'flood-started' : 'flood-ended';
      const { windowMs, startAbove, endBelow } = this.policy.flood;
      this.emit(null, type, null, null, cause, SYSTEM_USER, null, { ...state, windowSeconds: windowMs / 1000, startAbove, endBelow });
      this.commit();
    });
    const last = this.store.lastIds();
    this.nextEventId = last.eventId + 1;
    this.nextAlertId = last.alertId + 1;
    for (const stored of this.store.loadOpenAlerts()) {
      const alert: MutableAlert = { ...stored };
      const condition = this.track(alert.conditionId, alert.kind, alert.priority);
      condition.raw = alert.conditionActive;
      condition.settled = alert.conditionActive;
      condition.alert = alert;
      this.openAlerts.set(alert.id, alert);
    }
  }

  /**
   * Arms shelving expiries (those already past fire now, cause "expiry") and resumes flood detection
   * from the stored events (a flood that has died down ends now, cause "restart").
   */
  start(): void {
    if (this.phase !== 'loaded') throw new Error(`the alert engine can be started once; it is ${this.phase}`);
    this.phase = 'running';
    for (const alert of [...this.openAlerts.values()]) {
      if (alert.state === 'shelved') this.armExpiry(alert);
    }
    const now = this.clock.now();
    this.floodDetector.restore(this.store.annunciationTimesSince(now - this.policy.flood.windowMs), this.store.unfinishedFloodSince());
    this.commit();
  }

  /** Cancels every timer (pending delays are forgotten; shelvings are re-armed by the next start) and writes what is pending. */
  stop(): void {
    if (this.phase === 'stopped') return;
    this.phase = 'stopped';
    for (const condition of this.conditions.values()) this.debouncer.cancel(condition);
    for (const timer of this.expiryTimers.values()) this.clock.clearTimeout(timer);
    this.expiryTimers.clear();
    this.floodDetector.stop();
    this.commit();
    this.listeners.clear();
  }

  /**
   * Takes a batch of condition reports. A report that repeats its condition's state costs a map
   * lookup and two comparisons; no SQL. Bad reports are counted and kept (rejectedReports()).
   */
  report(batch: readonly ConditionReport[]): void {
    if (this.phase === 'stopped') throw new Error('the alert engine is stopped; reports are no longer taken');
    for (const report of batch) {
      this.reportsReceived += 1;
      const condition = this.conditions.get((report as Partial<ConditionReport> | null)?.conditionId as string);
      if (condition !== undefined && report.active === condition.raw && report.priority === condition.priority) {
        condition.latest = report;
        continue;
      }
      this.applyReport(report, condition);
    }
    this.commit();
  }

  acknowledge(alertId: number, input: { readonly user: string; readonly comment?: string }): ActionResult {
    return this.act('acknowledge', alertId, input, (alert, user) => {
      const comment = optionalText('comment', input.comment);
      const step = acknowledgeStep(alert);
      alert.acknowledged = { by: user, at: this.clock.now(), comment };
      return this.transition(alert, step.to, step.type, 'action', user, comment, null);
    });
  }

  /** Until `until` (ms since the epoch) or for `durationMs`, else the policy's default; never beyond its maximum. */
  shelve(alertId: number, input: { readonly user: string; readonly reason: string } & ShelveDuration): ActionResult {
    return this.act('shelve', alertId, input, (alert, user) => {
      const reason = requireText('reason', input.reason);
      assertCanShelve(alert);
      const now = this.clock.now();
      const until = shelveUntil(now, input, this.policy.shelving);
      const previousUntil = alert.shelved?.until ?? null;
      alert.shelved = { by: user, at: now, until, reason };
      this.armExpiry(alert);
      return this.transition(alert, 'shelved', 'shelved', 'action', user, reason, { until, previousUntil });
    });
  }

  unshelve(alertId: number, input: { readonly user: string; readonly comment?: string }): ActionResult {
    return this.act('unshelve', alertId, input, (alert, user) => {
      const comment = optionalText('comment', input.comment);
      assertCanUnshelve(alert);
      return this.unsuppress(alert, 'unshelved', 'action', user, comment, { shelvedUntil: alert.shelved?.until ?? null });
    });
  }

  removeFromService(alertId: number, input: { readonly user: string; readonly reason: string }): ActionResult {
    return this.act('remove-from-service', alertId, input, (alert, user) => {
      const reason = requireText('reason', input.reason);
      assertCanRemoveFromService(alert);
      const endedShelving = alert.shelved;
      this.disarmExpiry(alert.id);
      alert.shelved = null;
      alert.outOfService = { by: user, at: this.clock.now(), reason };
      return this.transition(alert, 'out-of-service', 'removed-from-service', 'action', user, reason, endedShelving ? { endedShelving } : null);
    });
  }

  returnToService(alertId: number, input: { readonly user: string; readonly comment?: string }): ActionResult {
    return this.act('return-to-service', alertId, input, (alert, user) => {
      const comment = optionalText('comment', input.comment);
      assertCanReturnToService(alert);
      return this.unsuppress(alert, 'returned-to-service', 'action', user, comment, null);
    });
  }

  /** Allowed on closed alerts too (e.g. the root cause found later). */
  comment(alertId: number, input: { readonly user: string; readonly text: string }): ActionResult {
    return this.act(
      'comment',
      alertId,
      input,
      (alert, user) => {
        const text = requireText('text', input.text);
        alert.updatedAt = this.clock.now();
        return this.emit(alert, 'commented', alert.state, alert.state, 'action', user, text, null);
      },
      { closedAllowed: true },
    );
  }

  /** Most urgent first, then most recently activated. */
  list(filter: AlertFilter = {}): Alert[] {
    const limit = pageSize(filter.limit, DEFAULT_LIST_LIMIT);
    const states = new Set<AlertState>(filter.states ?? OPEN_ALERT_STATES);
    if (filter.includeNormal === true) states.add('normal');
    const priorities = filter.priorities === undefined ? undefined : new Set(filter.priorities);
    const assets = filter.assets === undefined ? undefined : new Set(filter.assets);
    const alerts: Alert[] = [];
    for (const alert of this.openAlerts.values()) {
      if (states.has(alert.state) && (priorities?.has(alert.priority) ?? true) && (assets?.has(alert.asset) ?? true)) alerts.push({ ...alert });
    }
    if (states.has('normal')) alerts.push(...this.store.listClosed({ priorities: filter.priorities, assets: filter.assets, limit }));
    return alerts.sort(byPriorityThenRecent).slice(0, limit);
  }

  /** One alert, open or closed, with its events; undefined for an unknown id. */
  get(alertId: number): AlertWithHistory | undefined {
    const id = requireAlertId(alertId);
    const open = this.openAlerts.get(id);
    const alert = open === undefined ? this.store.findAlert(id) : { ...open };
    if (alert === undefined) return undefined;
    return { alert, events: this.store.eventsOf(id, HISTORY_LIMIT) };
  }

  /**
   * For a client resuming after the last event it saw. Page until hasMore is false, then subscribe in
   * the same synchronous turn (or subscribe first and skip ids already sent): nothing is missed.
   */
  eventsAfter(afterId: number, limit = DEFAULT_PAGE): AlertEventPage {
    if (typeof afterId !== 'number' || !Number.isSafeInteger(afterId) || afterId < 0) {
      throw new AlertActionError('invalid', `the event id to resume after must be an integer >= 0, got ${JSON.stringify(afterId)}`);
    }
    const size = pageSize(limit, DEFAULT_PAGE);
    const latestEventId = this.nextEventId - 1;
    if (afterId > latestEventId) return { events: [], latestEventId, hasMore: false, resync: true };
    const found = this.store.eventsAfter(afterId, size + 1);
    const events = found.slice(0, size);
    let resync = false;
    let expected = afterId + 1;
    for (const event of events) {
      if (event.id !== expected) resync = true;
      expected = event.id + 1;
    }
    return { events, latestEventId, hasMore: found.length > size, resync };
  }

  /**
   * Every new event, synchronously, after it was handed to storage. A listener that throws is logged
   * and counted; the others still get the event. Returns the function that unsubscribes.
   */
  subscribe(listener: AlertEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Open alerts by state (closed ones are history, not a gauge). */
  counts(): AlertCounts {
    const counts: AlertCounts = { 'active-unacked': 0, 'active-acked': 0, 'rtn-unacked': 0, shelved: 0, 'out-of-service': 0 };
    for (const alert of this.openAlerts.values()) {
      if (alert.state !== 'normal') counts[alert.state] += 1;
    }
    return counts;
  }

  flood(): FloodState {
    return this.floodDetector.state();
  }

  /** The newest event id handed out (0 before the first). */
  latestEventId(): number {
    return this.nextEventId - 1;
  }

  stats(): AlertEngineStats {
    return {
      reportsReceived: this.reportsReceived,
      reportsRejected: this.reportsRejected,
      events: this.eventCount,
      listenerErrors: this.listenerErrors,
      conditionsTracked: this.conditions.size,
      openAlerts: this.openAlerts.size,
      pendingEvents: this.store.pendingCount(),
      lostEvents: this.store.lostCount(),
    };
  }

  /** The last few reports refused, oldest first, with the reason. */
  rejectedReports(): readonly RejectedReport[] {
    return [...this.rejected];
  }

  private applyReport(report: ConditionReport, known: TrackedCondition | undefined): void {
    const problem = reportProblem(report);
    if (problem !== undefined) {
      this.reject(report, problem);
      return;
    }
    const condition = known ?? this.track(report.conditionId, report.kind, report.priority);
    condition.latest = report;
    if (report.priority !== condition.priority) this.changePriority(condition, report.priority);
    this.debouncer.update(condition, report.active);
  }

  private track(conditionId: string, kind: string, priority: AlertPriority): TrackedCondition {
    const condition: TrackedCondition = {
      conditionId,
      delays: this.policy.delaysFor(conditionId, kind),
      raw: false,
      settled: false,
      timer: undefined,
      priority,
      latest: undefined,
      alert: undefined,
    };
    this.conditions.set(conditionId, condition);
    return condition;
  }

  private changePriority(condition: TrackedCondition, priority: AlertPriority): void {
    const previous = condition.priority;
    condition.priority = priority;
    const alert = condition.alert;
    if (alert === undefined) return;
    alert.priority = priority;
    alert.updatedAt = this.clock.now();
    this.emit(alert, 'priority-changed', alert.state, alert.state, 'condition', SYSTEM_USER, null, { from: previous, to: priority });
  }

  /** The condition changed after its delay: apply the lifecycle. */
  private settle(condition: TrackedCondition, active: boolean, cause: 'condition' | 'delay'): void {
    const report = condition.latest;
    // Settling follows a report, so there is one; the guard keeps the types honest.
    if (report === undefined) return;
    const alert = condition.alert;
    const now = this.clock.now();
    if (alert === undefined) {
      if (active) this.activate(condition, report, cause);
      return;
    }
    const step = conditionStep(alert.state, active);
    alert.conditionActive = active;
    if (active) {
      if (step.type === 'reactivated') {
        alert.reactivations += 1;
        alert.lastActivatedAt = now;
        alert.clearedAt = null;
        alert.message = report.message;
        alert.details = copyDetails(report.details);
      }
    } else {
      alert.clearedAt = now;
    }
    this.transition(alert, step.to, step.type, cause, SYSTEM_USER, null, { reportTs: report.ts });
  }

  private activate(condition: TrackedCondition, report: ConditionReport, cause: AlertEventCause): void {
    const now = this.clock.now();
    const alert: MutableAlert = {
      id: this.nextAlertId++,
      conditionId: condition.conditionId,
      asset: report.asset,
      kind: report.kind,
      priority: condition.priority,
      state: 'normal',
      conditionActive: true,
      message: report.message,
      details: copyDetails(report.details),
      activatedAt: now,
      lastActivatedAt: now,
      reactivations: 0,
      clearedAt: null,
      acknowledged: null,
      shelved: null,
      outOfService: null,
      closedAt: null,
      lastEventId: 0,
      updatedAt: now,
    };
    condition.alert = alert;
    this.openAlerts.set(alert.id, alert);
    this.transition(alert, 'active-unacked', 'activated', cause, SYSTEM_USER, null, { reportTs: report.ts });
  }

  /** Leaves shelving or out of service. */
  private unsuppress(alert: MutableAlert, type: AlertEventType, cause: AlertEventCause, who: string, comment: string | null, details: unknown): AlertEvent {
    const to = unsuppressedState(alert.conditionActive);
    this.disarmExpiry(alert.id);
    alert.shelved = null;
    alert.outOfService = null;
    alert.acknowledged = null;
    if (to === 'active-unacked') alert.lastActivatedAt = this.clock.now();
    return this.transition(alert, to, type, cause, who, comment, details);
  }

  private transition(
    alert: MutableAlert,
    to: AlertState,
    type: AlertEventType,
    cause: AlertEventCause,
    who: string,
    comment: string | null,
    details: unknown,
  ): AlertEvent {
    const from = alert.state;
    const now = this.clock.now();
    alert.state = to;
    alert.updatedAt = now;
    if (to === 'normal') this.close(alert, now);
    const event = this.emit(alert, type, from, to, cause, who, comment, details);
    if (to === 'active-unacked' && from !== 'active-unacked') this.floodDetector.recordAnnunciation();
    return event;
  }

  private close(alert: MutableAlert, now: number): void {
    alert.closedAt = now;
    this.openAlerts.delete(alert.id);
    this.disarmExpiry(alert.id);
    const condition = this.conditions.get(alert.conditionId);
    if (condition?.alert === alert) condition.alert = undefined;
  }

  private emit(
    alert: MutableAlert | null,
    type: AlertEventType,
    fromState: AlertState | null,
    toState: AlertState | null,
    cause: AlertEventCause,
    who: string,
    comment: string | null,
    details: unknown,
  ): AlertEvent {
    const id = this.nextEventId++;
    if (alert !== null) alert.lastEventId = id;
    const event: AlertEvent = {
      id,
      ts: this.clock.now(),
      type,
      alertId: alert?.id ?? null,
      conditionId: alert?.conditionId ?? null,
      asset: alert?.asset ?? null,
      fromState,
      toState,
      cause,
      who,
      comment,
      details: details ?? null,
      alert: alert === null ? null : { ...alert },
    };
    this.eventCount += 1;
    this.store.append(event);
    this.outbox.push(event);
    return event;
  }

  /** Writes what the operation produced, then tells the listeners (re-entrant calls join the same loop). */
  private commit(): void {
    this.store.flush();
    if (this.notifying) return;
    this.notifying = true;
    try {
      for (let i = 0; i < this.outbox.length; i++) {
        const event = this.outbox[i]!;
        for (const listener of this.listeners) {
          try {
            listener(event);
          } catch (error) {
            this.listenerErrors += 1;
            this.logger.error({ err: error, eventId: event.id }, 'an alert event listener failed; the other listeners still got the event');
          }
        }
      }
    } finally {
      this.outbox.length = 0;
      this.notifying = false;
    }
  }

  private act(
    action: string,
    alertId: number,
    input: { readonly user: string },
    perform: (alert: MutableAlert, user: string) => AlertEvent,
    options: { readonly closedAllowed?: boolean } = {},
  ): ActionResult {
    if (this.phase === 'stopped') throw new Error('the alert engine is stopped; actions are no longer taken');
    const target = `alert/${String(alertId)}`;
    const who = typeof input?.user === 'string' && input.user !== '' ? input.user : '(none given)';
    try {
      const user = requireUser(input?.user);
      const id = requireAlertId(alertId);
      const alert = this.openAlerts.get(id) ?? this.closedAlert(id, options.closedAllowed === true);
      const event = perform(alert, user);
      this.audit(who, action, target, 'ok', `event ${event.id}: ${event.fromState ?? '-'} -> ${event.toState ?? '-'}`);
      this.commit();
      return { alert: event.alert ?? { ...alert }, event };
    } catch (error) {
      const outcome = error instanceof AlertActionError ? 'rejected' : 'failed';
      this.audit(who, action, target, outcome, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  private closedAlert(id: number, closedAllowed: boolean): MutableAlert {
    const alert = this.store.findAlert(id);
    if (alert === undefined) throw new AlertActionError('not-found', `there is no alert ${id}`);
    if (!closedAllowed) assertOpen(alert);
    return { ...alert };
  }

  private audit(user: string, action: string, target: string, outcome: AuditOutcome, detail: string): void {
    this.options.audit?.record({ user, action: `alert.${action}`, target, outcome, detail });
  }

  private armExpiry(alert: MutableAlert): void {
    this.disarmExpiry(alert.id);
    const shelved = alert.shelved;
    if (shelved === null) return;
    const delay = shelved.until - this.clock.now();
    if (delay <= 0) {
      this.expire(alert, shelved.until);
      return;
    }
    this.expiryTimers.set(
      alert.id,
      this.clock.setTimeout(() => {
        this.expiryTimers.delete(alert.id);
        if (alert.state !== 'shelved') return;
        this.expire(alert, shelved.until);
        this.commit();
      }, delay),
    );
  }

  private expire(alert: MutableAlert, due: number): void {
    this.unsuppress(alert, 'unshelved', 'expiry', SYSTEM_USER, null, { due, lateMs: Math.max(0, this.clock.now() - due) });
  }

  private disarmExpiry(alertId: number): void {
    const timer = this.expiryTimers.get(alertId);
    if (timer === undefined) return;
    this.clock.clearTimeout(timer);
    this.expiryTimers.delete(alertId);
  }

  private reject(report: unknown, reason: string): void {
    this.reportsRejected += 1;
    this.rejected.push({ at: this.clock.now(), reason, report });
    if (this.rejected.length > REJECTED_KEPT) this.rejected.shift();
    if (this.loggedRejections.has(reason)) return;
    this.loggedRejections.add(reason);
    this.logger.warn({ reason, report }, `condition report rejected: ${reason}; later reports rejected for the same reason are counted, not logged`);
  }
}

function byPriorityThenRecent(a: Alert, b: Alert): number {
  return PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || b.lastActivatedAt - a.lastActivatedAt || b.id - a.id;
}

function pageSize(requested: number | undefined, fallback: number): number {
  if (requested === undefined || !Number.isFinite(requested)) return fallback;
  return Math.min(Math.max(1, Math.floor(requested)), MAX_PAGE);
}

/** A JSON copy, so the stored alert does not change when detection reuses its objects; unserialisable details become a note. */
function copyDetails(details: unknown): unknown {
  if (details === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(details)) as unknown;
  } catch (error) {
    return { unserializable: error instanceof Error ? error.message : String(error) };
  }
}
