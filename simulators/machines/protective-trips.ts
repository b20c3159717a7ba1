import type { OperatingState } from '../machine.js';

/** One line of a PLC's trip table. */
export interface TripSetting {
  readonly code: number;
  readonly cause: string;
  /** The monitored quantity: a signal id, or what the protective device measures itself. */
  readonly quantity: string;
  readonly unit: string;
  readonly comparison: 'above' | 'below';
  readonly limit: number;
  /** How far back inside the limit the quantity must be before the trip can be reset. */
  readonly resetMargin: number;
  /** How long the limit must be exceeded without interruption before the machine trips. */
  readonly delaySeconds: number;
  /** Watched only in state 'running' (low flow, low suction and high current are normal while starting). */
  readonly runningOnly: boolean;
}

export interface TripRule extends TripSetting {
  /** The true process value (the PLC's own instrument, unaffected by faults of the monitoring sensors). */
  readonly value: () => number;
}

/** The machine's protective logic: trip delays, first-out trip code, and the reset interlock. */
export class ProtectiveTrips {
  readonly rules: readonly TripRule[];
  readonly #exceededSeconds: number[];

  constructor(rules: readonly TripRule[]) {
    this.rules = rules;
    this.#exceededSeconds = rules.map(() => 0);
  }

  /** Advances the delay timers; returns the code of the first rule whose delay ran out, else 0. */
  step(dtSeconds: number, state: OperatingState): number {
    let tripped = 0;
    this.rules.forEach((rule, index) => {
      const armed = !rule.runningOnly || state === 'running';
      const exceeded = armed && isBeyond(rule, rule.value(), 0);
      const seconds = exceeded ? (this.#exceededSeconds[index] ?? 0) + dtSeconds : 0;
      this.#exceededSeconds[index] = seconds;
      if (tripped === 0 && exceeded && seconds >= rule.delaySeconds) tripped = rule.code;
    });
    if (tripped !== 0) this.#exceededSeconds.fill(0);
    return tripped;
  }

  /**
   * Why a reset of trip `code` must be refused, or undefined once its cause has gone. Rules watched only
   * while running cannot persist in a stopped machine.
   */
  persistingCause(code: number): string | undefined {
    const rule = this.rules.find((candidate) => candidate.code === code);
    if (!rule || rule.runningOnly) return undefined;
    const value = rule.value();
    if (!isBeyond(rule, value, rule.resetMargin)) return undefined;
    const resetLimit = rule.comparison === 'above' ? rule.limit - rule.resetMargin : rule.limit + rule.resetMargin;
    const direction = rule.comparison === 'above' ? 'fall below' : 'rise above';
    return `${rule.quantity} is ${value.toFixed(1)} ${rule.unit} and must ${direction} ${resetLimit} ${rule.unit} first`;
  }
}

function isBeyond(rule: TripSetting, value: number, margin: number): boolean {
  return rule.comparison === 'above' ? value > rule.limit - margin : value < rule.limit + margin;
}
