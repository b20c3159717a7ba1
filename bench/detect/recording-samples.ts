import type { Sample } from '../../gateway/sample.js';

/** One row of a recording: its time and a value per signal (NaN where the cell held no number). */
export interface RecordedRow {
  readonly time: number;
  readonly values: readonly number[];
}

/** A recording's rows as the Samples a live source would have produced, each stamped with its row's time. */
export function recordingSamples(asset: string, signals: readonly string[], rows: readonly RecordedRow[]): Sample[] {
  const samples: Sample[] = [];
  for (const row of rows) {
    signals.forEach((signal, i) => {
      const value = row.values[i] as number;
      samples.push({ asset, signal, value, ts: row.time, quality: Number.isFinite(value) ? 'good' : 'bad', source: 'benchmark' });
    });
  }
  return samples;
}

/**
 * For each row, the finding that decides it. `causal` (a grid): the latest finding at or before the
 * row's time. Otherwise (rows by timestamp): the next finding when it carries the row's time, matched
 * in order so that repeated timestamps pair up; rows without one (not scored) get undefined.
 */
export function findingsByRow<T extends { readonly ts: number }>(rows: readonly { readonly time: number }[], findings: readonly T[], causal: boolean): (T | undefined)[] {
  const out: (T | undefined)[] = [];
  let next = 0;
  let latest: T | undefined;
  for (const row of rows) {
    if (causal) {
      while (next < findings.length && (findings[next] as T).ts <= row.time) latest = findings[next++];
      out.push(latest);
    } else if (next < findings.length && (findings[next] as T).ts === row.time) {
      out.push(findings[next++]);
    } else {
      out.push(undefined);
    }
  }
  return out;
}

/** A model id for a benchmark file: its path without ".csv", separators as dots ("skab/valve1/0.csv" → "skab.valve1.0"). */
export function modelIdFor(relativePath: string): string {
  return relativePath
    .replace(/\.csv$/i, '')
    .replace(/[^A-Za-z0-9_.-]+/g, '.')
    .replace(/^[._-]+/, '');
}
