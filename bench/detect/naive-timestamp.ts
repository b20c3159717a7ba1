const NAIVE_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

/**
 * Milliseconds since the epoch for a zone-less "YYYY-MM-DD HH:MM:SS[.ffffff]" as the public benchmarks
 * write them (SKAB, NAB data and NAB labels), read as UTC: only differences and equality matter.
 * NaN when the text is not such a timestamp or names an impossible date.
 */
export function parseNaiveTimestamp(text: string): number {
  const match = NAIVE_TIMESTAMP.exec(text.trim());
  if (!match) return Number.NaN;
  const [, year, month, day, hour, minute, second, fraction = ''] = match;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const time = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), millis);
  const date = new Date(time);
  const roundTrips =
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day) &&
    date.getUTCHours() === Number(hour) &&
    date.getUTCMinutes() === Number(minute) &&
    date.getUTCSeconds() === Number(second);
  return roundTrips ? time : Number.NaN;
}
