import type { AlertPriority, ConditionReport } from '../../alerts/condition-report.js';
import type { Finding } from '../finding.js';
import type { ModelCard } from '../model-card.js';

/** A signal's part in a finding, as alert details carry it (the console charts the top ones first). */
export interface SignalContribution {
  readonly signal: string;
  /** Share of the score, 0..1; the shares of a finding add up to 1 (negative terms count as 0). */
  readonly contribution: number;
  readonly unit: string;
  /** The signal's latest value when the report was made. */
  readonly value: number | null;
  /** Machine mode: the fitted normal level of the signal, mean ± sd of the fit rows. */
  readonly normalMean?: number;
  readonly normalSd?: number;
}

export interface ModelAlertDetails {
  readonly model: string;
  readonly modelVersion: string;
  readonly mode: ModelCard['mode'];
  readonly score: number;
  readonly threshold: number;
  /** score / threshold. */
  readonly severity: number;
  readonly ts: number;
  /** Every input, largest share first. */
  readonly contributions: readonly SignalContribution[];
}

export interface FindingAlertOptions {
  readonly priority: AlertPriority;
  /** The asset's latest value of a signal (for the details), undefined when none. */
  readonly latestValue: (signal: string) => number | undefined;
  /** While active, the report is repeated with fresh details this often (data time), so an alert that activates after an on-delay carries current figures. Default 5 s. */
  readonly refreshMs?: number;
}

/** Signals named in a message: those with at least this share, at most MAX_NAMED, at least one. */
const NAMED_SHARE = 0.1;
const MAX_NAMED = 3;

/**
 * Turns one model's findings on one asset into the condition `<asset>/model/<model id>`: reported when
 * the finding's anomalous state changes, and repeated with fresh details every `refreshMs` while it
 * holds (the alert engine takes a repeat for free and keeps the newest for an activation).
 */
export class FindingAlerts {
  readonly conditionId: string;
  /** Unknown until the first finding, which is always reported: an alert restored after a restart must clear on a normal one. */
  private active: boolean | null = null;
  private reportedAt = -Infinity;
  private readonly refreshMs: number;

  constructor(
    private readonly card: ModelCard,
    private readonly asset: string,
    private readonly options: FindingAlertOptions,
  ) {
    this.conditionId = `${asset}/model/${card.id}`;
    this.refreshMs = options.refreshMs ?? 5000;
  }

  get isActive(): boolean {
    return this.active === true;
  }

  onFinding(finding: Finding, out: ConditionReport[]): void {
    const changed = finding.anomalous !== this.active;
    if (!changed && !(this.active === true && finding.ts - this.reportedAt >= this.refreshMs)) return;
    this.active = finding.anomalous;
    this.reportedAt = finding.ts;
    const details = this.describe(finding);
    out.push({
      conditionId: this.conditionId,
      asset: this.asset,
      kind: 'model',
      active: this.active,
      priority: this.options.priority,
      ts: finding.ts,
      message: this.active ? deviationMessage(this.asset, details) : `${this.asset} back to normal behaviour (${this.card.id}: score ${formatRatio(details.severity)} × threshold)`,
      details,
    });
  }

  /** Clears an active condition when the model stops serving the asset (replaced, removed). */
  clear(ts: number, reason: string, out: ConditionReport[]): void {
    if (this.active !== true) return;
    this.active = false;
    out.push({ conditionId: this.conditionId, asset: this.asset, kind: 'model', active: false, priority: this.options.priority, ts, message: `${this.asset}: ${reason}` });
  }

  /** A finding as alert details carry it: score, threshold, each input's share with its value and fitted normal. */
  describe(finding: Finding): ModelAlertDetails {
    const { card } = this;
    const positive = Object.values(finding.contributions).reduce((sum, term) => sum + Math.max(0, term), 0);
    const contributions = card.inputs
      .map((input, i): SignalContribution => {
        const term = finding.contributions[input.signal] ?? 0;
        const value = this.options.latestValue(input.signal);
        return {
          signal: input.signal,
          contribution: positive > 0 ? round(Math.max(0, term) / positive, 4) : 0,
          unit: input.unit,
          value: value === undefined || !Number.isFinite(value) ? null : value,
          ...(card.mode === 'machine' ? { normalMean: card.normalisation.mean[i] as number, normalSd: card.normalisation.std[i] as number } : {}),
        };
      })
      .sort((a, b) => b.contribution - a.contribution);
    return {
      model: card.id,
      modelVersion: card.version,
      mode: card.mode,
      score: finding.score,
      threshold: finding.threshold,
      severity: finding.threshold > 0 ? finding.score / finding.threshold : 0,
      ts: finding.ts,
      contributions,
    };
  }
}

/** "pump-01 deviates from normal: vibration_de (61 %), bearing_temp_de (22 %); score 3.4 × threshold". */
export function deviationMessage(asset: string, details: ModelAlertDetails): string {
  const named = details.contributions.filter((c, i) => i === 0 || c.contribution >= NAMED_SHARE).slice(0, MAX_NAMED);
  const signals = named.map((c) => `${c.signal} (${Math.round(100 * c.contribution)} %)`).join(', ');
  return `${asset} deviates from normal: ${signals}; score ${formatRatio(details.severity)} × threshold`;
}

function formatRatio(ratio: number): string {
  return ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1);
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
