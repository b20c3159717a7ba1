/**
 * Priorities, most urgent first (ISA-18.2 recommends three or four, used sparingly: roughly 5 % urgent
 * or high, 15 % medium, 80 % low):
 * - urgent: act now (minutes) to prevent a trip, damage or harm.
 * - high: act promptly (within about 30 minutes).
 * - medium: act within the shift.
 * - low: awareness; plan maintenance.
 */
export const ALERT_PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;
export type AlertPriority = (typeof ALERT_PRIORITIES)[number];

/** Sort key: 0 is the most urgent. */
export const PRIORITY_RANK: Readonly<Record<AlertPriority, number>> = { urgent: 0, high: 1, medium: 2, low: 3 };

/** What raised the condition; detection may add kinds of its own. */
export type ConditionKind = 'model' | 'limit' | 'rate' | 'stuck' | 'quality' | (string & {});

/**
 * What detection reports, for every window of every asset. Repeating the same state is cheap and
 * expected; only changes of `active` (and of `priority`) do anything.
 */
export interface ConditionReport {
  /** Stable across restarts, e.g. "pump-01/limit/vibration_de.high" or "pump-01/model/pump-ae". */
  readonly conditionId: string;
  readonly asset: string;
  readonly kind: ConditionKind;
  /** True while the abnormal condition holds. */
  readonly active: boolean;
  readonly priority: AlertPriority;
  /** Time of the data the report is based on (ms since the epoch). */
  readonly ts: number;
  /** One line for people, e.g. "vibration_de 7.4 mm/s above high limit 7.1". */
  readonly message: string;
  /** E.g. a finding: score, threshold and contributions by signal. Stored as JSON. */
  readonly details?: unknown;
}

/** Why a report cannot be used, or undefined when it is fine. */
export function reportProblem(report: unknown): string | undefined {
  if (typeof report !== 'object' || report === null) return 'a report must be an object';
  const r = report as Record<string, unknown>;
  if (typeof r['conditionId'] !== 'string' || r['conditionId'] === '') return 'conditionId must be a non-empty string';
  if (typeof r['asset'] !== 'string' || r['asset'] === '') return 'asset must be a non-empty string';
  if (typeof r['kind'] !== 'string' || r['kind'] === '') return 'kind must be a non-empty string';
  if (typeof r['active'] !== 'boolean') return 'active must be true or false';
  if (!(ALERT_PRIORITIES as readonly unknown[]).includes(r['priority'])) return `priority must be one of ${ALERT_PRIORITIES.join(', ')}`;
  if (typeof r['ts'] !== 'number' || !Number.isFinite(r['ts'])) return 'ts must be a finite number (ms since the epoch)';
  if (typeof r['message'] !== 'string') return 'message must be a string';
  return undefined;
}
