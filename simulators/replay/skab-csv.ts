import { readFile } from 'node:fs/promises';
import { parse, type Info } from 'csv-parse/sync';
import type { SignalSpec } from '../machine.js';

/** A recorded multivariate time series, ready to replay. */
export interface Recording {
  readonly file: string;
  readonly signals: readonly SignalSpec[];
  /** In time order; offsets in seconds from the first row; NaN where the cell held no number. */
  readonly rows: readonly { readonly offsetSeconds: number; readonly values: readonly number[] }[];
  /** Rows left out (unreadable time, wrong column count, out of time order), each with its line and reason. */
  readonly rejected: readonly { readonly line: number; readonly reason: string }[];
  /** Cells that held no number; replayed as a failed sensor. */
  readonly badCells: number;
}

/** SKAB's documented units (waico/SKAB README); ranges cover the whole published data set. */
const SKAB_SIGNALS: Readonly<Record<string, Pick<SignalSpec, 'displayName' | 'unit' | 'range'>>> = {
  accelerometer1_rms: { displayName: 'Vibration acceleration 1 (RMS)', unit: 'g', range: [0, 1] },
  accelerometer2_rms: { displayName: 'Vibration acceleration 2 (RMS)', unit: 'g', range: [0, 1] },
  current: { displayName: 'Motor current', unit: 'A', range: [0, 5] },
  pressure: { displayName: 'Loop pressure after the pump', unit: 'bar', range: [-2, 4] },
  temperature: { displayName: 'Motor body temperature', unit: '°C', range: [0, 120] },
  thermocouple: { displayName: 'Fluid temperature', unit: '°C', range: [0, 100] },
  voltage: { displayName: 'Motor voltage', unit: 'V', range: [0, 300] },
  volume_flow_rate_rms: { displayName: 'Circulation flow rate (RMS)', unit: 'l/min', range: [0, 200] },
};

/** Label columns of the benchmark: ground truth for scoring, never published as signals. */
const LABEL_COLUMNS = new Set(['anomaly', 'changepoint']);

/** "Accelerometer1RMS" → "accelerometer1_rms", "Volume Flow RateRMS" → "volume_flow_rate_rms". */
export function snakeCaseSignalId(header: string): string {
  return header
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();
}

/** "2020-03-09 10:14:33" (SKAB, no zone: read as UTC; only differences matter) or ISO 8601. */
function parseTime(text: string): number {
  const iso = text.includes('T') ? text : text.replace(' ', 'T');
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
}

export interface SkabTable {
  readonly header: readonly string[];
  readonly timeColumn: number;
  /** The records after the header, each with csv-parse's info (its line). */
  readonly body: readonly { readonly info: Info; readonly record: string[] }[];
}

/** Splits a SKAB-layout text into its header and records; throws naming the file when it is not one. */
export function parseSkabTable(text: string, file: string): SkabTable {
  let parsed: { info: Info; record: string[] }[];
  try {
    parsed = parse(text, { delimiter: ';', info: true, skip_empty_lines: true, trim: true, relax_column_count: true, bom: true }) as unknown as {
      info: Info;
      record: string[];
    }[];
  } catch (error) {
    throw new Error(`${file}: not a readable CSV: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const [headerRecord, ...body] = parsed;
  const header = headerRecord?.record ?? [];
  const timeColumn = header.indexOf('datetime');
  if (timeColumn < 0) {
    throw new Error(`${file}: line 1 must be a SKAB header, ";"-separated with a "datetime" column (e.g. datetime;Accelerometer1RMS;...;anomaly;changepoint); got "${header.join(';')}"`);
  }
  return { header, timeColumn, body };
}

/**
 * Reads a CSV in the SKAB layout: `;` separated, a `datetime` column, one numeric column per sensor,
 * optional `anomaly`/`changepoint` labels (left out). Other numeric columns become signals with no unit.
 */
export async function loadSkabCsv(file: string): Promise<Recording> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the replay file ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const { header: columns, timeColumn, body } = parseSkabTable(text, file);
  const signalColumns = columns.map((name, index) => ({ name, index })).filter(({ name, index }) => index !== timeColumn && !LABEL_COLUMNS.has(name.toLowerCase()));
  if (signalColumns.length === 0) throw new Error(`${file}: the header names no sensor column besides datetime and labels`);

  const rows: { offsetSeconds: number; values: number[] }[] = [];
  const rejected: { line: number; reason: string }[] = [];
  let badCells = 0;
  let firstTime: number | undefined;
  let lastTime = -Infinity;
  for (const { info, record } of body) {
    const line = info.lines;
    if (record.length !== columns.length) {
      rejected.push({ line, reason: `${record.length} fields where the header has ${columns.length}` });
      continue;
    }
    const time = parseTime(record[timeColumn] ?? '');
    if (Number.isNaN(time)) {
      rejected.push({ line, reason: `datetime "${record[timeColumn]}" is not a date and time (expected e.g. 2020-03-09 10:14:33)` });
      continue;
    }
    if (time < lastTime) {
      rejected.push({ line, reason: `datetime ${record[timeColumn]} goes back in time` });
      continue;
    }
    lastTime = time;
    firstTime ??= time;
    const values = signalColumns.map(({ index }) => {
      const cell = record[index] ?? '';
      const value = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(value)) {
        badCells += 1;
        return Number.NaN;
      }
      return value;
    });
    rows.push({ offsetSeconds: (time - firstTime) / 1000, values });
  }
  if (rows.length === 0) {
    const why = rejected[0] ? ` (line ${rejected[0].line}: ${rejected[0].reason})` : '';
    throw new Error(`${file}: no replayable rows${why}`);
  }

  const signals: SignalSpec[] = signalColumns.map(({ name }, position) => {
    const id = snakeCaseSignalId(name);
    const known = SKAB_SIGNALS[id];
    if (known) return { id, kind: 'analog', ...known };
    let low = Infinity;
    let high = -Infinity;
    for (const row of rows) {
      const value = row.values[position] ?? Number.NaN;
      if (value < low) low = value;
      if (value > high) high = value;
    }
    return { id, displayName: name, unit: '', range: low <= high ? [low, high] : [0, 1], kind: 'analog' };
  });
  return { file, signals, rows, rejected, badCells };
}
