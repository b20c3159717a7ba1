import type { ConditionReport } from '../../alerts/condition-report.js';
import { format } from './limit-rule.js';
import { RuleCondition } from './rule-condition.js';

/**
 * Rate of change of one signal between consecutive good readings: faster than the process can move
 * (a temperature behind a thermal lag, a pressure in a large receiver) points at the instrument —
 * spikes, a loose connection — rather than the machine.
 */
export class RateRule {
  private readonly condition: RuleCondition;
  private previous: { value: number; ts: number } | null = null;

  constructor(
    asset: string,
    private readonly signal: string,
    private readonly unit: string,
    private readonly maxRatePerSecond: number,
  ) {
    this.condition = new RuleCondition(`${asset}/rate/${signal}`, asset, 'rate', 'low');
  }

  onValue(value: number, ts: number, out: ConditionReport[]): void {
    const previous = this.previous;
    this.previous = { value, ts };
    if (!previous || ts <= previous.ts) return;
    const rate = Math.abs(value - previous.value) / ((ts - previous.ts) / 1000);
    const active = rate > this.maxRatePerSecond;
    const unit = this.unit ? ` ${this.unit}` : '';
    const message = active
      ? `${this.signal} changed at ${format(rate)}${unit}/s, faster than the process can (${this.maxRatePerSecond}${unit}/s): check the sensor`
      : `${this.signal} changes at a plausible rate again`;
    this.condition.update(active, ts, message, out, { signal: this.signal, ratePerSecond: rate, maxRatePerSecond: this.maxRatePerSecond });
  }

  /** A gap in good data (bad quality) starts the rate over. */
  reset(): void {
    this.previous = null;
  }
}
