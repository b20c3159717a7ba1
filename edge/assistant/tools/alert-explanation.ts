import type { Alert } from '../../alerts/alert.js';
import type { AssetConfig } from '../../config/config-schema.js';
import type { ModelAlertDetails } from '../../detect/live/finding-alerts.js';
import type { TelemetryBus } from '../../../gateway/telemetry-bus.js';
import { round, signalStatus, type SignalStatus } from './signal-status.js';

/** How one signal stands out in an alert: its value against its normal, and its share of a model's finding. */
export interface SignalDeviation {
  readonly signal: string;
  readonly unit: string;
  readonly value: number | null;
  readonly direction: 'high' | 'low' | 'in-range';
  /** The configured normal band. */
  readonly normal: readonly [number, number] | null;
  /** Model findings: the fitted normal level (mean ± sd) and how many sd away the value is. */
  readonly fittedMean?: number;
  readonly fittedSd?: number;
  readonly sigma?: number;
  /** Model findings: the signal's share of the anomaly score, 0..1. */
  readonly share?: number;
  readonly status: SignalStatus | 'no-data';
}

export interface AlertExplanation {
  readonly alertId: number;
  readonly asset: string;
  readonly assetName: string;
  readonly machineKind: string;
  readonly kind: string;
  readonly priority: string;
  readonly state: string;
  readonly message: string;
  readonly activatedAt: string;
  /** Largest deviation first; for a model finding, the signals with a share of at least 5 %. */
  readonly deviations: readonly SignalDeviation[];
  readonly model?: { readonly id: string; readonly score: number; readonly threshold: number; readonly severity: number };
  readonly trip?: { readonly code: number; readonly meaning: string | null };
  readonly limit?: { readonly signal: string; readonly limit: number; readonly value: number };
}

const SHARE_SHOWN = 0.05;

/**
 * What an alert says about its asset, in figures: for a model finding each signal's share with its value
 * against the fitted normal; for a limit, the value against the limit; for a trip, the code and meaning.
 * The other signals of the asset outside their normal band are added from the live values.
 */
export function explainAlert(alert: Alert, asset: AssetConfig | undefined, bus: TelemetryBus): AlertExplanation {
  const deviations: SignalDeviation[] = [];
  const details = (alert.details ?? {}) as Record<string, unknown>;
  const base = {
    alertId: alert.id,
    asset: alert.asset,
    assetName: asset?.name ?? alert.asset,
    machineKind: asset?.kind ?? 'unknown',
    kind: alert.kind,
    priority: alert.priority,
    state: alert.state,
    message: alert.message,
    activatedAt: new Date(alert.lastActivatedAt).toISOString(),
  };
  let extra: Partial<AlertExplanation> = {};
  if (alert.kind === 'model' && Array.isArray(details['contributions'])) {
    const finding = details as unknown as ModelAlertDetails;
    extra = { model: { id: finding.model, score: round(finding.score), threshold: round(finding.threshold), severity: round(finding.severity) } };
    for (const part of finding.contributions) {
      if (part.contribution < SHARE_SHOWN) continue;
      const normal = asset?.signals[part.signal]?.normal ?? null;
      const sigma = part.value !== null && part.normalMean !== undefined && part.normalSd !== undefined && part.normalSd > 0 ? (part.value - part.normalMean) / part.normalSd : undefined;
      const direction = sigma !== undefined ? (sigma > 0.5 ? 'high' : sigma < -0.5 ? 'low' : 'in-range') : directionAgainst(part.value, normal);
      deviations.push({
        signal: part.signal,
        unit: part.unit,
        value: part.value === null ? null : round(part.value),
        direction,
        normal,
        ...(part.normalMean !== undefined ? { fittedMean: round(part.normalMean) } : {}),
        ...(part.normalSd !== undefined ? { fittedSd: round(part.normalSd) } : {}),
        ...(sigma !== undefined ? { sigma: Math.round(sigma * 10) / 10 } : {}),
        share: Math.round(part.contribution * 1000) / 1000,
        status: statusOf(part.value, asset, part.signal),
      });
    }
  } else if (alert.kind === 'trip' && typeof details['code'] === 'number') {
    extra = { trip: { code: details['code'], meaning: typeof details['meaning'] === 'string' ? details['meaning'] : null } };
  } else if (typeof details['signal'] === 'string' && typeof details['value'] === 'number' && typeof details['limit'] === 'number') {
    extra = { limit: { signal: details['signal'], limit: details['limit'], value: round(details['value']) } };
  }
  const named = new Set(deviations.map((deviation) => deviation.signal));
  const limitSignal = extra.limit?.signal ?? (typeof details['signal'] === 'string' ? details['signal'] : undefined);
  for (const [signal, config] of Object.entries(asset?.signals ?? {})) {
    if (named.has(signal)) continue;
    const latest = bus.latest(alert.asset, signal);
    const value = latest && latest.quality !== 'bad' && Number.isFinite(latest.value) ? latest.value : null;
    const status = value === null ? 'no-data' : signalStatus(value, config);
    if (signal !== limitSignal && (status === 'normal' || status === 'no-data')) continue;
    deviations.push({ signal, unit: config.unit, value: value === null ? null : round(value), direction: directionAgainst(value, config.normal ?? null), normal: config.normal ?? null, status });
  }
  // the signal the alert is about comes first, then the others outside their normal band
  if (limitSignal !== undefined) deviations.sort((a, b) => Number(b.signal === limitSignal) - Number(a.signal === limitSignal));
  return { ...base, ...extra, deviations };
}

function directionAgainst(value: number | null, normal: readonly [number, number] | null): SignalDeviation['direction'] {
  if (value === null || normal === null) return 'in-range';
  return value > normal[1] ? 'high' : value < normal[0] ? 'low' : 'in-range';
}

function statusOf(value: number | null, asset: AssetConfig | undefined, signal: string): SignalDeviation['status'] {
  const config = asset?.signals[signal];
  if (value === null || !config) return 'no-data';
  return signalStatus(value, config);
}
