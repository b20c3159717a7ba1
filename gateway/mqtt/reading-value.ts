/**
 * The number a payload field stands for, or NaN when it stands for none: finite numbers as they
 * are, booleans as 1/0, finite decimal strings such as "23.5". null, objects, other strings and
 * non-finite numbers (JSON's 1e400) give NaN. Returning NaN instead of a result object keeps the
 * hot path free of allocation; `describeFound` explains a NaN afterwards.
 */
export function readingValue(raw: unknown): number {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : Number.NaN;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'string') return decimalString(raw);
  return Number.NaN;
}

/** Finite decimal numbers only: Number() alone would take "" and " " as 0 and "0x10" as 16. */
export function decimalString(text: string): number {
  const value = Number(text);
  return Number.isFinite(value) && value === Number.parseFloat(text) ? value : Number.NaN;
}

const EXCERPT_CHARS = 40;

/** What a field held, for reject details: 'null', 'the string "abc"', 'an object', ... */
export function describeFound(raw: unknown): string {
  if (raw === undefined) return 'nothing';
  if (raw === null) return 'null';
  if (typeof raw === 'string') {
    const shown = raw.length > EXCERPT_CHARS ? `${raw.slice(0, EXCERPT_CHARS)}…` : raw;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof raw === 'number') return `the number ${String(raw)}`;
  if (Array.isArray(raw)) return `an array of ${raw.length}`;
  if (typeof raw === 'object') return 'an object';
  return `a ${typeof raw}`;
}
