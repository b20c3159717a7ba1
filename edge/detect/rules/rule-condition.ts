import type { AlertPriority, ConditionKind, ConditionReport } from '../../alerts/condition-report.js';

/**
 * One condition a rule watches. Reports only when its state changes: the alert engine keeps the
 * state and runs the on/off delays on its own clock.
 */
export class RuleCondition {
  /**
   * Unknown until the first evaluation, which is always reported: after a restart the alert engine
   * may hold this condition active from before, and a normal first reading must clear it.
   */
  private active: boolean | null = null;

  constructor(
    readonly conditionId: string,
    readonly asset: string,
    readonly kind: ConditionKind,
    readonly priority: AlertPriority,
  ) {}

  get isActive(): boolean {
    return this.active === true;
  }

  /** Pushes a report onto `out` when `active` differs from the last state (or is the first). */
  update(active: boolean, ts: number, message: string, out: ConditionReport[], details?: unknown): void {
    if (active === this.active) return;
    this.active = active;
    out.push({ conditionId: this.conditionId, asset: this.asset, kind: this.kind, active, priority: this.priority, ts, message, ...(details === undefined ? {} : { details }) });
  }
}
