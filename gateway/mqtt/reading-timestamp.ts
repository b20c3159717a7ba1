import { decimalString, describeFound } from './reading-value.js';
import type { MqttTimestamp } from './mqtt-source-config.js';

export type TimestampFormat = NonNullable<MqttTimestamp['format']>;

/** Readings stamped before this are taken for an unset device clock or a wrong format. */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
/** How far ahead of arrival a device clock may run before its readings are refused. */
const MAX_AHEAD_MS = 24 * 60 * 60 * 1000;
/** auto: numbers above this are epoch milliseconds (1e11 ms is 1973, 1e11 s is year 5138). */
const AUTO_MS_THRESHOLD = 1e11;

/** Milliseconds since the epoch for a payload's timestamp field, or NaN when unusable (see `explainTimestamp`). */
export type TimestampReader = (raw: unknown, arrivalMs: number) => number;

export function compileTimestampReader(format: TimestampFormat): TimestampReader {
  switch (format) {
    case 'epoch-ms':
      return (raw, arrivalMs) => plausible(epochNumber(raw), arrivalMs);
    case 'epoch-s':
      return (raw, arrivalMs) => plausible(Math.round(epochNumber(raw) * 1000), arrivalMs);
    case 'iso8601':
      return (raw, arrivalMs) => plausible(typeof raw === 'string' ? isoMs(raw) : Number.NaN, arrivalMs);
    case 'auto':
      return (raw, arrivalMs) => plausible(autoMs(raw), arrivalMs);
  }
}

function epochNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  return typeof raw === 'string' ? decimalString(raw) : Number.NaN;
}

function autoMs(raw: unknown): number {
  if (typeof raw === 'number') return raw > AUTO_MS_THRESHOLD ? raw : Math.round(raw * 1000);
  return typeof raw === 'string' ? isoMs(raw) : Number.NaN;
}

function plausible(ms: number, arrivalMs: number): number {
  return ms >= EARLIEST_MS && ms <= arrivalMs + MAX_AHEAD_MS ? ms : Number.NaN;
}

/**
 * ISO 8601 date and time with an explicit offset ("Z", "+02:00", "+0200"). Date.parse alone would
 * also take "May 1 2024" and read offset-less times in the gateway's local zone, silently shifting
 * them; a character check is cheaper than a regular expression on the hot path.
 */
function isoMs(text: string): number {
  const n = text.length;
  if (n < 17 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return Number.NaN;
  const separator = text.charAt(10);
  if (separator !== 'T' && separator !== 't' && separator !== ' ') return Number.NaN;
  const last = text.charAt(n - 1);
  const hasOffset =
    last === 'Z' || last === 'z' || (isSign(text.charAt(n - 6)) && text.charAt(n - 3) === ':') || isSign(text.charAt(n - 5));
  return hasOffset ? Date.parse(text) : Number.NaN;
}

function isSign(c: string): boolean {
  return c === '+' || c === '-';
}

/** Why `compileTimestampReader(format)` gave NaN for `raw`, for reject details. */
export function explainTimestamp(raw: unknown, format: TimestampFormat, arrivalMs: number): string {
  const found = describeFound(raw);
  const expected = {
    'epoch-ms': 'epoch milliseconds',
    'epoch-s': 'epoch seconds',
    iso8601: 'an ISO 8601 time with a UTC offset such as "2024-05-01T10:00:00Z"',
    auto: 'epoch seconds or milliseconds, or an ISO 8601 time with a UTC offset such as "2024-05-01T10:00:00Z"',
  }[format];
  const ms =
    format === 'epoch-ms' ? epochNumber(raw) : format === 'epoch-s' ? epochNumber(raw) * 1000 : format === 'iso8601' ? (typeof raw === 'string' ? isoMs(raw) : Number.NaN) : autoMs(raw);
  if (!Number.isFinite(ms)) return `found ${found}, expected ${expected}`;
  const as = Math.abs(ms) < 8.64e15 ? ` (${new Date(ms).toISOString()})` : '';
  if (ms < EARLIEST_MS) return `found ${found}${as}, before 2000: is the device clock set and the format (${format}) right?`;
  return `found ${found}${as}, more than a day after its arrival at ${new Date(arrivalMs).toISOString()}: is the device clock or the format (${format}) wrong?`;
}
