import type { Clock, TimerHandle } from '../store/clock.js';
import type { ConditionDelays } from './alert-policy.js';

/** The debouncing state of one condition. */
export interface DebouncedCondition {
  readonly delays: ConditionDelays;
  /** As last reported. */
  raw: boolean;
  /** After the on/off delays: what the alert lifecycle sees. */
  settled: boolean;
  /** The pending on- or off-delay, if any. */
  timer: TimerHandle | undefined;
}

export type SettledListener<C extends DebouncedCondition> = (condition: C, active: boolean, cause: 'condition' | 'delay') => void;

/**
 * On-delay and off-delay (chattering suppression): a change of the reported condition counts only
 * once it has held for its delay without interruption; a change back within the delay cancels it and
 * leaves no trace.
 */
export class ConditionDebouncer<C extends DebouncedCondition> {
  constructor(
    private readonly clock: Clock,
    private readonly onSettled: SettledListener<C>,
  ) {}

  update(condition: C, active: boolean): void {
    if (active === condition.raw) return;
    condition.raw = active;
    this.cancel(condition);
    if (active === condition.settled) return;
    const delayMs = active ? condition.delays.onDelayMs : condition.delays.offDelayMs;
    if (delayMs <= 0) {
      condition.settled = active;
      this.onSettled(condition, active, 'condition');
      return;
    }
    condition.timer = this.clock.setTimeout(() => {
      condition.timer = undefined;
      condition.settled = active;
      this.onSettled(condition, active, 'delay');
    }, delayMs);
  }

  cancel(condition: C): void {
    if (condition.timer === undefined) return;
    this.clock.clearTimeout(condition.timer);
    condition.timer = undefined;
  }
}
