import type { ConditionReport } from '../../alerts/condition-report.js';
import type { SignalConfig } from '../../config/config-schema.js';
import { RuleCondition } from './rule-condition.js';

type LimitName = 'lowLow' | 'low' | 'high' | 'highHigh';

const LIMIT_WORDS: Record<LimitName, string> = { lowLow: 'low-low', low: 'low', high: 'high', highHigh: 'high-high' };

interface Limit {
  readonly name: LimitName;
  readonly value: number;
  readonly above: boolean;
  readonly condition: RuleCondition;
}

/**
 * High/low and high-high/low-low limits of one signal, each its own condition (ISA-18.2: separate
 * alarms). A limit trips when the value passes it and clears only once the value is back by the
 * deadband, so a value hovering at the limit does not chatter. Low limits hold only while the machine
 * runs: a stopped pump has no flow, and that is no alarm.
 */
export class LimitRule {
  private readonly limits: Limit[];

  constructor(
    asset: string,
    private readonly signal: string,
    private readonly config: SignalConfig,
  ) {
    const entries = Object.entries(config.limits ?? {}) as [LimitName, number | undefined][];
    this.limits = entries
      .filter((entry): entry is [LimitName, number] => entry[1] !== undefined)
      .map(([name, value]) => ({
        name,
        value,
        above: name === 'high' || name === 'highHigh',
        condition: new RuleCondition(`${asset}/limit/${signal}.${name}`, asset, 'limit', name === 'high' || name === 'low' ? 'medium' : 'high'),
      }));
  }

  get empty(): boolean {
    return this.limits.length === 0;
  }

  onValue(value: number, ts: number, running: boolean, out: ConditionReport[]): void {
    const deadband = this.config.deadband ?? 0;
    for (const limit of this.limits) {
      const wasActive = limit.condition.isActive;
      const active = limit.above
        ? value > limit.value || (wasActive && value > limit.value - deadband)
        : running && (value < limit.value || (wasActive && value < limit.value + deadband));
      const unit = this.config.unit ? ` ${this.config.unit}` : '';
      const message = active
        ? `${this.signal} ${format(value)}${unit} ${limit.above ? 'above' : 'below'} its ${LIMIT_WORDS[limit.name]} limit ${limit.value}${unit}`
        : `${this.signal} ${format(value)}${unit} back within its ${LIMIT_WORDS[limit.name]} limit ${limit.value}${unit}`;
      limit.condition.update(active, ts, message, out, { signal: this.signal, value, limit: limit.value, deadband });
    }
  }
}

export function format(value: number): string {
  return Number(value.toPrecision(4)).toString();
}
