import { DURATION_HINT, parseDurationSeconds } from '../../simulators/duration.js';

const RELATIVE = /^-\s*(.+)$/;
const DAYS = /^(\d+(?:\.\d+)?)d(.*)$/;
/** A calendar date, optionally with a time and an offset: what ISO 8601 looks like, not every string Date.parse takes. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A point in time given on the command line: ISO 8601 (`2025-01-06T08:00:00Z`, `2025-01-06 08:00`,
 * `2025-01-06`; local time without an offset), `now`, or relative to now (`-2h`, `-30m`, `-1d`, `-1d12h`).
 * Returns epoch ms; throws saying what is accepted.
 */
export function parseTimeArgument(text: string, now: number, option: string): number {
  const trimmed = text.trim();
  if (trimmed === 'now') return now;
  const relative = RELATIVE.exec(trimmed);
  if (relative) return now - relativeSeconds(relative[1] as string, text, option) * 1000;
  if (ISO_8601.test(trimmed)) {
    const ms = Date.parse(trimmed.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  throw new Error(`${option} "${text}" is not a time: give ISO 8601 (2025-01-06T08:00:00Z, 2025-01-06 08:00 local time), "now", or a time relative to now such as -2h, -30m, -1d`);
}

function relativeSeconds(duration: string, text: string, option: string): number {
  const days = DAYS.exec(duration);
  try {
    if (days) return Number(days[1]) * 86_400 + (days[2] === '' ? 0 : parseDurationSeconds(days[2] as string));
    return parseDurationSeconds(duration);
  } catch {
    throw new Error(`${option} "${text}": after "-" give ${DURATION_HINT}, or days such as 1d, 1d12h`);
  }
}
