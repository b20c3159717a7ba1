import type { AlertPriority, ConditionKind } from './condition-report.js';

/**
 * The lifecycle states of an alert (see README.md for the table and diagram). Shelved and
 * out-of-service alerts still track their condition (`conditionActive`) but are not annunciated.
 */
export const ALERT_STATES = ['active-unacked', 'active-acked', 'rtn-unacked', 'shelved', 'out-of-service', 'normal'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Every state but normal: the alert is open and kept in memory. */
export type OpenAlertState = Exclude<AlertState, 'normal'>;
export const OPEN_ALERT_STATES: readonly OpenAlertState[] = ['active-unacked', 'active-acked', 'rtn-unacked', 'shelved', 'out-of-service'];

/** Shown in the alert list with colour and sound; the others are not. */
export const ANNUNCIATED_STATES: readonly AlertState[] = ['active-unacked', 'active-acked', 'rtn-unacked'];

/** Who did it when it was not a person. */
export const SYSTEM_USER = 'system';

/**
 * One occurrence of a condition: from its activation until it is back to normal. At most one alert per
 * condition is open at a time; a condition that activates again after its alert closed gets a new one.
 */
export interface Alert {
  readonly id: number;
  readonly conditionId: string;
  readonly asset: string;
  readonly kind: ConditionKind;
  readonly priority: AlertPriority;
  readonly state: AlertState;
  /** The condition after on/off delays; tracked in every state, shelved and out of service too. */
  readonly conditionActive: boolean;
  /** From the report that activated (or last re-activated) the alert. */
  readonly message: string;
  readonly details: unknown;
  readonly activatedAt: number;
  readonly lastActivatedAt: number;
  /** Times it went active again from returned-to-normal-unacknowledged. */
  readonly reactivations: number;
  /** When the condition last returned to normal; null while it has not. */
  readonly clearedAt: number | null;
  readonly acknowledged: { readonly by: string; readonly at: number; readonly comment: string | null } | null;
  readonly shelved: { readonly by: string; readonly at: number; readonly until: number; readonly reason: string } | null;
  readonly outOfService: { readonly by: string; readonly at: number; readonly reason: string } | null;
  /** When it reached normal; null while open. */
  readonly closedAt: number | null;
  readonly lastEventId: number;
  readonly updatedAt: number;
}

export type AlertEventType =
  | 'activated'
  | 'reactivated'
  | 'cleared'
  | 'acknowledged'
  | 'shelved'
  | 'unshelved'
  | 'removed-from-service'
  | 'returned-to-service'
  | 'condition-active'
  | 'condition-cleared'
  | 'priority-changed'
  | 'commented'
  | 'flood-started'
  | 'flood-ended';

/**
 * condition: a report changed the condition and no delay applied. delay: an on- or off-delay elapsed.
 * action: a person acted. expiry: a shelving ran out. restart: decided while loading the state at start.
 * rate: the alert rate crossed a flood limit.
 */
export type AlertEventCause = 'condition' | 'delay' | 'action' | 'expiry' | 'restart' | 'rate';

/** One entry of the event log; ids increase by one with every event, across restarts. */
export interface AlertEvent {
  readonly id: number;
  readonly ts: number;
  readonly type: AlertEventType;
  /** Null for flood events, which concern no single alert. */
  readonly alertId: number | null;
  readonly conditionId: string | null;
  readonly asset: string | null;
  readonly fromState: AlertState | null;
  readonly toState: AlertState | null;
  readonly cause: AlertEventCause;
  /** A user name, or SYSTEM_USER. */
  readonly who: string;
  readonly comment: string | null;
  /** Type-specific: shelving until/reason, the due time of an expiry, the old and new priority... */
  readonly details: unknown;
  /** The alert as it stands after this event (null for flood events): a client applies it as is. */
  readonly alert: Alert | null;
}
