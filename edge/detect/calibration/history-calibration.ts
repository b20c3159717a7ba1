import type { AssetHistory } from '../../store/asset-history.js';
import type { ModelArtifacts } from '../model-artifacts.js';
import { describeSpan, fitCalibration } from './asset-calibration.js';
import type { CalibrationPlan } from './calibration-plan.js';
import { FitRowCollector } from './fit-row-collector.js';

export interface HistoryCalibrationOptions {
  readonly history: AssetHistory;
  readonly plan: CalibrationPlan;
  /** Epoch ms, inclusive. */
  readonly from: number;
  readonly to: number;
  /** Called after each chunk read: ms of the range covered so far, of the whole. */
  readonly onProgress?: (done: number, total: number) => void;
}

const CHUNK_MS = 3600_000;

/**
 * The fit rows of a stretch of stored history: the asset's samples, an hour at a time, through the same
 * row assembly as the live path. The running signal's state at `from` is looked up first (a PLC sends
 * its run state only when it changes).
 */
export function collectFromHistory(options: HistoryCalibrationOptions): FitRowCollector {
  const { history, plan, from, to } = options;
  const collector = new FitRowCollector({
    asset: plan.asset,
    grid: plan.grid,
    signals: plan.inputs.map((input) => input.signal),
    ...(plan.running ? { running: plan.running } : {}),
    settleRows: plan.settleRows ?? plan.settings.warmupRows,
  });
  if (plan.running) {
    const state = history.lastReading(plan.asset, plan.running.signal, from);
    if (state) collector.push([{ asset: plan.asset, signal: plan.running.signal, value: state.value, ts: from, quality: 'good', source: 'history' }]);
  }
  for (let start = from; start <= to; start += CHUNK_MS) {
    const end = Math.min(to, start + CHUNK_MS - 1);
    collector.push(history.samples(plan.asset, start, end));
    options.onProgress?.(end - from, to - from);
  }
  return collector;
}

/** Fits the asset's own model on a stretch of its stored history; NotEnoughDataError when it holds too few usable rows. */
export function calibrateFromHistory(options: HistoryCalibrationOptions): ModelArtifacts {
  const collector = collectFromHistory(options);
  const { plan, from, to } = options;
  const span = describeSpan(collector.rows.length * (plan.grid.periodMs > 0 ? plan.grid.periodMs : 1000));
  return fitCalibration(
    plan,
    collector,
    `${collector.rows.length} running rows (${span}) of ${plan.asset}'s stored history between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`,
    `from its history between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`,
  );
}
