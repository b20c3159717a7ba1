import { AlertActionError } from './alert-action-error.js';

const MAX_USER_LENGTH = 200;
const MAX_TEXT_LENGTH = 2000;

/** A user name as recorded in events and the audit log. */
export function requireUser(user: unknown): string {
  if (typeof user !== 'string' || user.trim() === '') throw new AlertActionError('invalid', 'user must name the person acting (a non-empty string)');
  if (user.length > MAX_USER_LENGTH) throw new AlertActionError('invalid', `user must be at most ${MAX_USER_LENGTH} characters`);
  return user;
}

export function requireText(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new AlertActionError('invalid', `${field} is required (a non-empty string)`);
  return checkLength(field, value);
}

export function optionalText(field: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new AlertActionError('invalid', `${field} must be a string`);
  return checkLength(field, value);
}

export function requireAlertId(alertId: unknown): number {
  if (typeof alertId !== 'number' || !Number.isSafeInteger(alertId) || alertId < 1) {
    throw new AlertActionError('invalid', `alert id must be a positive integer, got ${JSON.stringify(alertId)}`);
  }
  return alertId;
}

export interface ShelveDuration {
  /** End of shelving, ms since the epoch. */
  readonly until?: number;
  readonly durationMs?: number;
}

/** The end of a shelving: from `until` or `durationMs` (not both), else the default; never beyond the maximum. */
export function shelveUntil(now: number, input: ShelveDuration, limits: { readonly defaultMs: number; readonly maxMs: number }): number {
  if (input.until !== undefined && input.durationMs !== undefined) throw new AlertActionError('invalid', 'give either until or durationMs, not both');
  let until = now + limits.defaultMs;
  if (input.until !== undefined) {
    if (typeof input.until !== 'number' || !Number.isFinite(input.until)) throw new AlertActionError('invalid', 'until must be a time in ms since the epoch');
    until = input.until;
  } else if (input.durationMs !== undefined) {
    if (typeof input.durationMs !== 'number' || !Number.isFinite(input.durationMs)) throw new AlertActionError('invalid', 'durationMs must be a number');
    until = now + input.durationMs;
  }
  if (until <= now) throw new AlertActionError('invalid', `shelving must end in the future (until ${new Date(until).toISOString()} is not after now)`);
  if (until - now > limits.maxMs) {
    throw new AlertActionError('invalid', `shelving may last at most ${formatDuration(limits.maxMs)} (alerts.shelving.maxSeconds); ${formatDuration(until - now)} was asked`);
  }
  return until;
}

function checkLength(field: string, value: string): string {
  if (value.length > MAX_TEXT_LENGTH) throw new AlertActionError('invalid', `${field} must be at most ${MAX_TEXT_LENGTH} characters (got ${value.length})`);
  return value;
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}
