import { AlertActionError } from './alert-action-error.js';
import type { Alert, AlertEventType, AlertState } from './alert.js';

/**
 * The ISA-18.2 state machine as rules, without storage or timers (README.md has the table). The
 * engine applies them; anything refused here becomes an AlertActionError the console shows as 409.
 */

export interface Step {
  readonly to: AlertState;
  readonly type: AlertEventType;
}

/** The settled condition (after delays) of an open alert in `state` changed. */
export function conditionStep(state: AlertState, active: boolean): Step {
  if (active) {
    if (state === 'rtn-unacked') return { to: 'active-unacked', type: 'reactivated' };
    return { to: state, type: 'condition-active' };
  }
  if (state === 'active-unacked') return { to: 'rtn-unacked', type: 'cleared' };
  if (state === 'active-acked') return { to: 'normal', type: 'cleared' };
  return { to: state, type: 'condition-cleared' };
}

/** Active stays active (acknowledged); returned-to-normal closes. */
export function acknowledgeStep(alert: Alert): Step {
  if (alert.state === 'active-unacked') return { to: 'active-acked', type: 'acknowledged' };
  if (alert.state === 'rtn-unacked') return { to: 'normal', type: 'acknowledged' };
  if (alert.state === 'active-acked' && alert.acknowledged !== null) {
    throw conflict(alert, `was already acknowledged by ${alert.acknowledged.by} at ${iso(alert.acknowledged.at)}`);
  }
  throw conflict(alert, `is ${describeState(alert.state)}; only unacknowledged alerts (active or returned to normal) can be acknowledged`);
}

/** Any open alert but one out of service; shelving a shelved alert sets a new expiry. */
export function assertCanShelve(alert: Alert): void {
  if (alert.state === 'out-of-service') throw conflict(alert, 'is out of service; return it to service before shelving it');
}

export function assertCanUnshelve(alert: Alert): void {
  if (alert.state !== 'shelved') throw conflict(alert, `is ${describeState(alert.state)}, not shelved`);
}

/** Any open alert; maintenance takes precedence over a shelving, which ends. */
export function assertCanRemoveFromService(alert: Alert): void {
  if (alert.state === 'out-of-service') throw conflict(alert, `is already out of service (removed by ${alert.outOfService?.by ?? 'unknown'})`);
}

export function assertCanReturnToService(alert: Alert): void {
  if (alert.state !== 'out-of-service') throw conflict(alert, `is ${describeState(alert.state)}, not out of service`);
}

/** Leaving shelving or out of service: annunciate again if the condition is active, else close. */
export function unsuppressedState(conditionActive: boolean): AlertState {
  return conditionActive ? 'active-unacked' : 'normal';
}

/** Every action but a comment needs an open alert. */
export function assertOpen(alert: Alert): void {
  if (alert.state === 'normal') {
    throw conflict(alert, `returned to normal${alert.closedAt === null ? '' : ` at ${iso(alert.closedAt)}`} and is closed; only comments can be added`);
  }
}

export function describeState(state: AlertState): string {
  switch (state) {
    case 'active-unacked':
      return 'active and unacknowledged';
    case 'active-acked':
      return 'active and acknowledged';
    case 'rtn-unacked':
      return 'returned to normal but unacknowledged';
    case 'shelved':
      return 'shelved';
    case 'out-of-service':
      return 'out of service';
    case 'normal':
      return 'normal (closed)';
  }
}

function conflict(alert: Alert, what: string): AlertActionError {
  return new AlertActionError('conflict', `alert ${alert.id} (${alert.conditionId}) ${what}`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
