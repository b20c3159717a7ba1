import type { ConditionReport } from '../../alerts/condition-report.js';
import { format } from './limit-rule.js';
import { RuleCondition } from './rule-condition.js';

/**
 * A measurement that stops moving while the rest of its machine does: real signals carry noise, so a
 * value frozen for `afterSeconds` points at a stuck or disconnected instrument. Exactly zero is exempt:
 * that is a machine at rest (speed, flow, vibration), not a frozen sensor. Checked on a clock, because
 * a frozen value may produce no samples at all (OPC UA reports only changes).
 */
export class StuckRule {
  private readonly condition: RuleCondition;
  private lastValue = Number.NaN;
  /** Time (ms, arrival clock) of the last change of value. */
  private lastChange = Number.NaN;

  constructor(
    asset: string,
    private readonly signal: string,
    private readonly unit: string,
    private readonly afterSeconds: number,
  ) {
    this.condition = new RuleCondition(`${asset}/stuck/${signal}`, asset, 'stuck', 'medium');
  }

  /** Returns true when the value moved. */
  onValue(value: number, ts: number, now: number, out: ConditionReport[]): boolean {
    if (value === this.lastValue) return false;
    this.lastValue = value;
    this.lastChange = now;
    this.condition.update(false, ts, `${this.signal} is moving again`, out);
    return true;
  }

  /**
   * `assetMovedAt`: the last time any other signal of the asset changed (arrival clock); `running`:
   * the asset's running state when its configuration defines one, else null.
   */
  check(now: number, assetMovedAt: number, running: boolean | null, out: ConditionReport[]): void {
    if (Number.isNaN(this.lastChange) || this.condition.isActive || this.lastValue === 0 || running === false) return;
    const frozenMs = now - this.lastChange;
    const machineMoving = now - assetMovedAt < this.afterSeconds * 1000 && assetMovedAt > this.lastChange;
    if (frozenMs < this.afterSeconds * 1000 || !machineMoving) return;
    const unit = this.unit ? ` ${this.unit}` : '';
    this.condition.update(
      true,
      Date.now(),
      `${this.signal} has not changed from ${format(this.lastValue)}${unit} for ${Math.round(frozenMs / 1000)} s while the machine's other signals move: sensor stuck?`,
      out,
      { signal: this.signal, value: this.lastValue, frozenSeconds: frozenMs / 1000 },
    );
  }
}
