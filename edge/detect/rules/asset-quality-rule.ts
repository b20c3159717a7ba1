import type { ConditionReport } from '../../alerts/condition-report.js';
import { RuleCondition } from './rule-condition.js';

/**
 * Tells instrument and link problems apart from machine faults. One bad signal among good ones is a
 * sensor failure (a condition per signal); every signal bad at once, or no data at all for
 * `silentAfterSeconds`, is lost communication with the device (one condition for the asset, which
 * then stands in for the per-signal ones instead of flooding the operator with one alert per signal).
 */
export class AssetQualityRule {
  private readonly communication: RuleCondition;
  private readonly sensors = new Map<string, RuleCondition>();
  private readonly bad = new Map<string, boolean>();
  private lastArrival = Number.NaN;
  private silent = false;

  constructor(
    private readonly asset: string,
    private readonly silentAfterSeconds: number,
  ) {
    this.communication = new RuleCondition(`${asset}/quality/communication`, asset, 'quality', 'high');
  }

  onQuality(signal: string, bad: boolean, now: number): void {
    this.bad.set(signal, bad);
    this.lastArrival = now;
    this.silent = false;
  }

  /** After a batch: decide between lost communication and failed sensors. */
  evaluate(ts: number, out: ConditionReport[]): void {
    const badSignals = [...this.bad].filter(([, bad]) => bad).map(([signal]) => signal);
    const allBad = badSignals.length > 0 && badSignals.length === this.bad.size && this.bad.size > 1;
    this.updateCommunication(allBad || this.silent, ts, allBad ? `every signal of ${this.asset} reports bad quality: lost communication with the device?` : '', out);
    for (const [signal, bad] of this.bad) {
      const active = bad && !this.communication.isActive;
      const condition = this.sensorCondition(signal);
      condition.update(active, ts, active ? `${signal} reports bad quality while the rest of ${this.asset} is fine: sensor failure?` : `${signal} reports good values again`, out);
    }
  }

  /** On a clock: no data at all for too long. */
  check(now: number, out: ConditionReport[]): void {
    if (Number.isNaN(this.lastArrival) || this.silent) return;
    if (now - this.lastArrival < this.silentAfterSeconds * 1000) return;
    this.silent = true;
    this.updateCommunication(true, Date.now(), `no data from ${this.asset} for ${this.silentAfterSeconds} s: lost communication?`, out);
  }

  private updateCommunication(active: boolean, ts: number, message: string, out: ConditionReport[]): void {
    this.communication.update(active, ts, active ? message : `data from ${this.asset} is flowing again`, out);
  }

  private sensorCondition(signal: string): RuleCondition {
    let condition = this.sensors.get(signal);
    if (!condition) {
      condition = new RuleCondition(`${this.asset}/quality/${signal}`, this.asset, 'quality', 'medium');
      this.sensors.set(signal, condition);
    }
    return condition;
  }
}
