import type { AlertPriority, ConditionKind, ConditionReport } from '../../alerts/condition-report.js';

/**
 * One condition a rule watches. Reports only when its state changes: the alert engine keeps the
 * state and runs the on/off delays on its own clock.
 */
export class RuleCondition {
  private active = false;

  constructor(
    readonly conditionId: string,
    readonly asset: string,
    readonly kind: ConditionKind,
    readonly priority: AlertPriority,
  ) {}

  get isActive(): boolean {
    return this.active;
  }

  /** Pushes a report onto `out` when `active` differs from the last state. */
  update(active: boolean, ts: number, message: string, out: ConditionReport[], details?: unknown): void {
    if (active === this.active) return;
    this.active = active;
    out.push({ conditionId: this.conditionId, asset: this.asset, kind: this.kind, active, priority: this.priority, ts, message, ...(details === undefined ? {} : { details }) });
  }
}
