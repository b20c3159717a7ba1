import type { Sample } from '../../../gateway/sample.js';
import type { ConditionReport } from '../../alerts/condition-report.js';
import type { AssetConfig } from '../../config/config-schema.js';
import { AssetQualityRule } from './asset-quality-rule.js';
import { LimitRule } from './limit-rule.js';
import { RateRule } from './rate-rule.js';
import { StuckRule } from './stuck-rule.js';
import { TripRule } from './trip-rule.js';

export type ReportSink = (reports: ConditionReport[]) => void;

interface SignalRules {
  readonly limits: LimitRule | null;
  readonly rate: RateRule | null;
  readonly stuck: StuckRule | null;
}

interface AssetRules {
  readonly signals: Map<string, SignalRules>;
  readonly quality: AssetQualityRule;
  readonly runningWhen: AssetConfig['running'];
  readonly trip: { readonly signal: string; readonly rule: TripRule } | null;
  /** From the running signal; null when the asset defines none (then it counts as running). */
  running: boolean | null;
  /** Arrival time of the last change of any of the asset's values. */
  movedAt: number;
}

export interface RuleEngineOptions {
  /** No data from an asset for this long is lost communication. */
  readonly silentAfterSeconds: number;
  /** Arrival clock (ms); tests give their own. */
  readonly now?: () => number;
}

/**
 * The rule layer beside the models: limits with deadband, rate of change, stuck sensors,
 * quality/communication and PLC trips, all from the configuration. Feed it every batch from the bus; it reports
 * only changes of a condition's state to the sink.
 */
export class RuleEngine {
  private readonly assets = new Map<string, AssetRules>();
  private readonly now: () => number;

  constructor(
    assets: Readonly<Record<string, AssetConfig>>,
    private readonly sink: ReportSink,
    options: RuleEngineOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    for (const [assetId, asset] of Object.entries(assets)) {
      const signals = new Map<string, SignalRules>();
      for (const [signalId, signal] of Object.entries(asset.signals)) {
        const limits = new LimitRule(assetId, signalId, signal);
        signals.set(signalId, {
          limits: limits.empty ? null : limits,
          rate: signal.maxRatePerSecond === undefined ? null : new RateRule(assetId, signalId, signal.unit, signal.maxRatePerSecond),
          stuck: signal.stuckAfterSeconds === undefined ? null : new StuckRule(assetId, signalId, signal.unit, signal.stuckAfterSeconds),
        });
      }
      this.assets.set(assetId, { signals, quality: new AssetQualityRule(assetId, options.silentAfterSeconds), runningWhen: asset.running, trip: asset.trip ? { signal: asset.trip.signal, rule: new TripRule(assetId, asset.trip.codes ?? {}) } : null, running: null, movedAt: Number.NaN });
    }
  }

  onBatch(batch: readonly Sample[]): void {
    const out: ConditionReport[] = [];
    const now = this.now();
    const touched = new Map<AssetRules, number>();
    for (const sample of batch) {
      const asset = this.assets.get(sample.asset);
      const rules = asset?.signals.get(sample.signal);
      if (!asset || !rules) continue;
      touched.set(asset, sample.ts);
      const bad = sample.quality === 'bad';
      asset.quality.onQuality(sample.signal, bad, now);
      if (bad) {
        rules.rate?.reset();
        continue;
      }
      if (asset.trip?.signal === sample.signal) asset.trip.rule.onValue(sample.value, sample.ts, out);
      const when = asset.runningWhen;
      if (when?.signal === sample.signal) asset.running = when.above !== undefined ? sample.value > when.above : sample.value === when.equals;
      rules.limits?.onValue(sample.value, sample.ts, asset.running ?? true, out);
      rules.rate?.onValue(sample.value, sample.ts, out);
      if (rules.stuck?.onValue(sample.value, sample.ts, now, out) ?? true) asset.movedAt = now;
    }
    for (const [asset, ts] of touched) asset.quality.evaluate(ts, out);
    if (out.length > 0) this.sink(out);
  }

  /** Time-based rules (stuck sensors, silent assets); call about once a second. */
  check(): void {
    const out: ConditionReport[] = [];
    const now = this.now();
    for (const asset of this.assets.values()) {
      asset.quality.check(now, out);
      for (const rules of asset.signals.values()) rules.stuck?.check(now, asset.movedAt, asset.running, out);
    }
    if (out.length > 0) this.sink(out);
  }
}
