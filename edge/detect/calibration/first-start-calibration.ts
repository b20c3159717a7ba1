import type { Sample } from '../../../gateway/sample.js';
import type { ModelArtifacts } from '../model-artifacts.js';
import { describeSpan, fitCalibration } from './asset-calibration.js';
import type { CalibrationPlan } from './calibration-plan.js';
import { FitRowCollector } from './fit-row-collector.js';

export type FirstStartState = 'collecting' | 'fitting' | 'failed';

/**
 * An asset learning its normal behaviour at first start: collects its running rows (the rows the
 * model will score) for a set time of running operation, then fits. `push` returns the artifacts once,
 * when enough rows are in; a fit that fails leaves the state `failed` with the reason, and `restart()`
 * begins collecting again.
 */
export class FirstStartCalibration {
  private collector: FitRowCollector;
  private phase: FirstStartState = 'collecting';
  private problem: string | null = null;
  readonly rowsNeeded: number;
  readonly startedAt: number;

  /** `timeScale` > 1: the data's timestamps are compressed (the demo's --speed); rows are collected on the grid shrunk by it. */
  constructor(
    readonly plan: CalibrationPlan,
    readonly minutes: number,
    now: number,
    private readonly timeScale = 1,
  ) {
    const period = plan.grid.periodMs > 0 ? plan.grid.periodMs : 1000;
    this.rowsNeeded = Math.max(plan.minimumRows, Math.ceil((minutes * 60_000) / period));
    this.collector = this.newCollector();
    this.startedAt = now;
  }

  get state(): FirstStartState {
    return this.phase;
  }

  get error(): string | null {
    return this.problem;
  }

  get rowsCollected(): number {
    return this.collector.rows.length;
  }

  /** 0..1 */
  get progress(): number {
    return Math.min(1, this.collector.rows.length / this.rowsNeeded);
  }

  /** Takes bus samples; returns the fitted model when this batch completed the collection. */
  push(samples: readonly Sample[]): ModelArtifacts | null {
    if (this.phase !== 'collecting') return null;
    this.collector.push(samples);
    if (this.collector.rows.length < this.rowsNeeded) return null;
    this.phase = 'fitting';
    const span = describeSpan(this.collector.rows.length * (this.plan.grid.periodMs > 0 ? this.plan.grid.periodMs : 1000));
    try {
      return fitCalibration(this.plan, this.collector, `${this.collector.rows.length} running rows (${span}) of ${this.plan.asset}'s own data, collected at its first start`, 'at first start');
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  fail(reason: string): void {
    this.phase = 'failed';
    this.problem = reason;
  }

  /** Starts over (after a failed fit or write). */
  restart(): void {
    this.collector = this.newCollector();
    this.phase = 'collecting';
    this.problem = null;
  }

  private newCollector(): FitRowCollector {
    const { periodMs, maxHoldMs, latenessMs } = this.plan.grid;
    return new FitRowCollector({
      asset: this.plan.asset,
      grid: { periodMs: periodMs / this.timeScale, maxHoldMs: maxHoldMs / this.timeScale, latenessMs: latenessMs / this.timeScale },
      signals: this.plan.inputs.map((input) => input.signal),
      ...(this.plan.running ? { running: this.plan.running } : {}),
      settleRows: this.plan.settleRows ?? this.plan.settings.warmupRows,
    });
  }
}
