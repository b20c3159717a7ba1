import type { ConditionReport } from '../../alerts/condition-report.js';
import { RuleCondition } from './rule-condition.js';

/**
 * The PLC's own protective trip, read from its fault-code signal: non-zero means the machine
 * tripped. Urgent, and raised at once, since the machine has already stopped itself — a trip can
 * come and go faster than any limit's on-delay. A tripped machine has stopped, so the first code is
 * the one that counts until the trip is reset.
 */
export class TripRule {
  private readonly condition: RuleCondition;
  private code = 0;

  constructor(
    private readonly asset: string,
    private readonly codes: Readonly<Record<string, string>>,
  ) {
    this.condition = new RuleCondition(`${asset}/trip`, asset, 'trip', 'urgent');
  }

  onValue(value: number, ts: number, out: ConditionReport[]): void {
    const code = Math.round(value);
    if (code === this.code || (code !== 0 && this.code !== 0)) return;
    const meaning = this.codes[String(code)];
    this.code = code;
    const message = code === 0 ? `${this.asset} trip reset` : `${this.asset} tripped: PLC fault code ${code}${meaning ? ` (${meaning})` : ''}`;
    this.condition.update(code !== 0, ts, message, out, { code, ...(meaning ? { meaning } : {}) });
  }
}
