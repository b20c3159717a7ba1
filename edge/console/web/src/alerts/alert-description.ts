import type { Alert } from '../api-types.js';
import type { Formats } from '../format/formats.js';
import type { Translator } from '../i18n/translator.js';

type LimitName = 'lowLow' | 'low' | 'high' | 'highHigh';
const LIMIT_NAMES: readonly string[] = ['lowLow', 'low', 'high', 'highHigh'];

/** What a condition id says: `pump-01/limit/vibration_de.high`, `pump-01/quality/communication`… */
export interface ConditionParts {
  readonly asset: string;
  readonly kind: string;
  /** The signal it is about, when it is about one. */
  readonly signal: string | null;
  readonly limit: LimitName | null;
}

export function parseConditionId(conditionId: string): ConditionParts {
  const [asset = '', kind = '', ...rest] = conditionId.split('/');
  const subject = rest.join('/');
  if (kind === 'limit') {
    const dot = subject.lastIndexOf('.');
    const name = subject.slice(dot + 1);
    if (dot > 0 && LIMIT_NAMES.includes(name)) return { asset, kind, signal: subject.slice(0, dot), limit: name as LimitName };
  }
  if (kind === 'quality' && subject === 'communication') return { asset, kind, signal: null, limit: null };
  if (kind === 'model') return { asset, kind, signal: null, limit: null };
  return { asset, kind, signal: subject === '' ? null : subject, limit: null };
}

/** A signal's share in a model finding, largest first. */
export interface Contribution {
  readonly signal: string;
  readonly share: number;
}

/**
 * Per-signal contributions from an alert's details, when detection gives them: either
 * `{ contributions: { vibration_de: 0.61, … } }` or `{ contributions: [{ signal, contribution | share | weight }] }`.
 * Signal names may be bare or "asset/signal".
 */
export function contributionsOf(alert: Alert): Contribution[] {
  const raw = detailsOf(alert).contributions;
  const entries: Contribution[] = [];
  const add = (signal: unknown, share: unknown) => {
    if (typeof signal !== 'string' || typeof share !== 'number' || !Number.isFinite(share)) return;
    entries.push({ signal: signal.startsWith(`${alert.asset}/`) ? signal.slice(alert.asset.length + 1) : signal, share });
  };
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (typeof item !== 'object' || item === null) continue;
      const record = item as Record<string, unknown>;
      add(record.signal, record.contribution ?? record.share ?? record.weight ?? record.value);
    }
  } else if (typeof raw === 'object' && raw !== null) {
    for (const [signal, share] of Object.entries(raw)) add(signal, share);
  }
  return entries.sort((a, b) => Math.abs(b.share) - Math.abs(a.share));
}

/** The signals to chart for an alert: the top contributors first, then the signal of the condition. */
export function signalsToChart(alert: Alert, assetSignals: readonly string[], maxContributors = 4): string[] {
  const chosen = contributionsOf(alert).slice(0, maxContributors).map((c) => c.signal);
  const own = parseConditionId(alert.conditionId).signal;
  if (own !== null) chosen.push(own);
  if (chosen.length === 0) chosen.push(...assetSignals.slice(0, 4));
  return [...new Set(chosen)].filter((signal) => assetSignals.includes(signal));
}

/** The limit or threshold line to draw on the condition's signal, when there is one. */
export function thresholdOf(alert: Alert): number | null {
  const details = detailsOf(alert);
  for (const key of ['limit', 'threshold'] as const) if (typeof details[key] === 'number') return details[key] as number;
  return null;
}

export type UnitOf = (asset: string, signal: string) => string;

/** One line for people, in the page's language, from the condition and its details; the server's text when the kind is unknown. */
export function describeAlert(alert: Alert, t: Translator, formats: Formats, unitOf: UnitOf): string {
  const parts = parseConditionId(alert.conditionId);
  const details = detailsOf(alert);
  const signal = parts.signal ?? '';
  const quantity = (value: unknown) => (typeof value === 'number' ? formats.quantity(formats.plain(value), unitOf(alert.asset, signal)) : '?');
  switch (parts.kind) {
    case 'limit':
      if (parts.limit === null) break;
      return t.t(parts.limit === 'high' || parts.limit === 'highHigh' ? 'describe.limitAbove' : 'describe.limitBelow', {
        signal,
        value: quantity(details.value),
        limit: quantity(details.limit),
        which: t.t(`limit.${parts.limit}`),
      });
    case 'rate': {
      const unit = unitOf(alert.asset, signal);
      const rate = (value: unknown) => (typeof value === 'number' ? t.t('describe.perSecond', { value: formats.quantity(formats.plain(value), unit) }) : '?');
      return t.t('describe.rate', { signal, rate: rate(details.ratePerSecond), max: rate(details.maxRatePerSecond) });
    }
    case 'stuck':
      return t.t('describe.stuck', { signal, value: quantity(details.value), duration: typeof details.frozenSeconds === 'number' ? formats.duration(details.frozenSeconds) : '?' });
    case 'quality':
      return parts.signal === null ? t.t('describe.communication') : t.t('describe.sensorFailure', { signal });
    case 'model': {
      const score = typeof details.score === 'number' ? formats.plain(details.score) : null;
      const threshold = typeof details.threshold === 'number' ? formats.plain(details.threshold) : null;
      if (score !== null && threshold !== null) return t.t('describe.model', { score, threshold });
      break;
    }
  }
  return alert.message;
}

function detailsOf(alert: Alert): Record<string, unknown> {
  return typeof alert.details === 'object' && alert.details !== null ? (alert.details as Record<string, unknown>) : {};
}
