import type { Translator } from '../i18n/translator.js';

interface Ranged {
  readonly unit: string;
  readonly normal: readonly [number, number] | null;
  readonly limits: { readonly lowLow?: number; readonly low?: number; readonly high?: number; readonly highHigh?: number };
}

/**
 * Decimals for a signal's values, fixed per signal so a live value never changes width: enough to
 * see a change of about 1 % of its normal range (or of its limits), at most 3. Without a range: none
 * for a signal without a unit (codes, counts), one otherwise.
 */
export function signalDecimals(signal: Ranged): number {
  const bounds = signal.normal ?? boundsOf(Object.values(signal.limits).filter((v): v is number => v !== undefined));
  if (bounds === null) return signal.unit === '' ? 0 : 1;
  const span = Math.abs(bounds[1] - bounds[0]) || Math.abs(bounds[0]) || 1;
  return Math.min(3, Math.max(0, 2 - Math.floor(Math.log10(span))));
}

function boundsOf(values: readonly number[]): [number, number] | null {
  return values.length === 0 ? null : [Math.min(...values), Math.max(...values)];
}

/** Numbers, quantities, times and durations in the page's locale. */
export class Formats {
  private readonly numberFormats = new Map<number, Intl.NumberFormat>();
  private readonly timeFormat: Intl.DateTimeFormat;
  private readonly clockFormat: Intl.DateTimeFormat;
  private readonly dateTimeFormat: Intl.DateTimeFormat;
  private readonly relative: Intl.RelativeTimeFormat;
  private readonly significant: Intl.NumberFormat;

  constructor(private readonly translator: Translator) {
    const locale = translator.locale;
    this.timeFormat = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    this.clockFormat = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    this.dateTimeFormat = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    this.relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
    this.significant = new Intl.NumberFormat(locale, { maximumSignificantDigits: 4 });
  }

  number(value: number, decimals: number): string {
    let format = this.numberFormats.get(decimals);
    if (!format) {
      format = new Intl.NumberFormat(this.translator.locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
      this.numberFormats.set(decimals, format);
    }
    return format.format(value);
  }

  /** A number with just enough digits (alert texts quoting a measured value or a limit). */
  plain(value: number): string {
    return this.significant.format(value);
  }

  /** The unit as people write it in this locale (the configuration's symbol unless the dictionary knows better). */
  unit(unit: string): string {
    return this.translator.optional(`unit.${unit}`) ?? unit;
  }

  /** "6.22 mm/s", "45%": the dictionary decides the spacing of the few units written without one. */
  quantity(text: string, unit: string): string {
    if (unit === '') return text;
    return this.translator.optional(`unit.${unit}.with`, { value: text }) ?? `${text} ${this.unit(unit)}`;
  }

  time(ts: number): string {
    return this.timeFormat.format(ts);
  }

  /** Hours and minutes: chart axes. */
  clock(ts: number): string {
    return this.clockFormat.format(ts);
  }

  dateTime(ts: number): string {
    return this.dateTimeFormat.format(ts);
  }

  /** "5 min ago", "in 1 hr" */
  ago(ts: number, now: number): string {
    const seconds = Math.round((ts - now) / 1000);
    const abs = Math.abs(seconds);
    if (abs < 60) return this.relative.format(seconds, 'second');
    if (abs < 3600) return this.relative.format(Math.round(seconds / 60), 'minute');
    if (abs < 86_400) return this.relative.format(Math.round(seconds / 3600), 'hour');
    return this.relative.format(Math.round(seconds / 86_400), 'day');
  }

  duration(seconds: number): string {
    if (seconds < 3600) return this.translator.t('duration.minutes', { count: Math.round(seconds / 60) });
    const hours = seconds / 3600;
    return this.translator.t('duration.hours', { count: Number.isInteger(hours) ? hours : this.number(hours, 1) });
  }
}
