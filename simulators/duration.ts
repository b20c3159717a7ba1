/** "500ms", "30s", "10m", "1h", "1h30m", "2m30.5s", or plain seconds ("90"); groups: plain, h, m, s, ms. */
export const DURATION_PATTERN =
  '^(?:(\\d+(?:\\.\\d+)?)|(?:(\\d+(?:\\.\\d+)?)h)?(?:(\\d+(?:\\.\\d+)?)m(?!s))?(?:(\\d+(?:\\.\\d+)?)s)?(?:(\\d+(?:\\.\\d+)?)ms)?)$';
const DURATION = new RegExp(DURATION_PATTERN);

export const DURATION_HINT = 'a duration such as 500ms, 30s, 10m, 1h, 1h30m, or plain seconds';

/** Seconds in a duration (a number is plain seconds); throws, naming the accepted forms, when it is not one. */
export function parseDurationSeconds(duration: string | number): number {
  if (typeof duration === 'number') {
    if (Number.isFinite(duration) && duration >= 0) return duration;
    throw new Error(`${duration} is not ${DURATION_HINT}`);
  }
  const match = DURATION.exec(duration.trim());
  if (!match || duration.trim() === '') throw new Error(`"${duration}" is not ${DURATION_HINT}`);
  const [plain, hours, minutes, seconds, milliseconds] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  return (plain ?? 0) + (hours ?? 0) * 3600 + (minutes ?? 0) * 60 + (seconds ?? 0) + (milliseconds ?? 0) / 1000;
}

/** 5400 → "1h30m", 0.5 → "500ms": for log lines. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = Math.round((seconds % 60) * 1000) / 1000;
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${rest || (!hours && !minutes) ? `${rest}s` : ''}`;
}
