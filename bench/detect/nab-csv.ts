import { readFile } from 'node:fs/promises';
import { parse, type Info } from 'csv-parse/sync';
import { parseNaiveTimestamp } from './naive-timestamp.js';

/** A NAB data file (`timestamp,value`) or a detector's results file read back. */
export interface NabSeries {
  readonly file: string;
  /** The timestamp cells as written. */
  readonly timestamps: readonly string[];
  /** The same, as milliseconds since the epoch (zone-less, read as UTC). */
  readonly times: readonly number[];
  readonly values: readonly number[];
  /** Rows kept aside (wrong field count, unreadable timestamp or number), with their line. */
  readonly rejected: readonly { readonly line: number; readonly reason: string }[];
}

/** A results file in NAB's layout: `timestamp,value,anomaly_score,label` (extra columns ignored). */
export interface NabResults extends NabSeries {
  readonly scores: readonly number[];
  readonly labels: readonly number[];
}

/** One labelled anomaly window: both limits are timestamps of rows of the data file. */
export interface NabWindow {
  readonly start: number;
  readonly end: number;
  /** The limits as the labels file writes them, for messages. */
  readonly startText: string;
  readonly endText: string;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the NAB ${what} ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function parseColumns(text: string, file: string, required: readonly string[], numeric: readonly string[]) {
  let parsed: { info: Info; record: string[] }[];
  try {
    parsed = parse(text, { info: true, skip_empty_lines: true, trim: true, relax_column_count: true, bom: true }) as unknown as { info: Info; record: string[] }[];
  } catch (error) {
    throw new Error(`${file}: not a readable CSV: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const [headerRecord, ...body] = parsed;
  const header = headerRecord?.record ?? [];
  const index = new Map(header.map((name, position) => [name, position]));
  const missing = required.filter((name) => !index.has(name));
  if (missing.length > 0) {
    throw new Error(`${file}: line 1 must be a header with the columns ${required.join(',')}; ${missing.join(', ')} missing in "${header.join(',')}"`);
  }
  const timestamps: string[] = [];
  const times: number[] = [];
  const columns = new Map(numeric.map((name) => [name, [] as number[]]));
  const rejected: { line: number; reason: string }[] = [];
  const timeColumn = index.get('timestamp') as number;
  rows: for (const { info, record } of body) {
    if (record.length !== header.length) {
      rejected.push({ line: info.lines, reason: `${record.length} fields where the header has ${header.length}` });
      continue;
    }
    const stamp = record[timeColumn] ?? '';
    const time = parseNaiveTimestamp(stamp);
    if (Number.isNaN(time)) {
      rejected.push({ line: info.lines, reason: `timestamp "${stamp}" is not a date and time like 2014-07-01 00:00:00` });
      continue;
    }
    const numbers: number[] = [];
    for (const name of numeric) {
      const cell = record[index.get(name) as number] ?? '';
      const value = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(value)) {
        rejected.push({ line: info.lines, reason: `${name} "${cell}" is not a number` });
        continue rows;
      }
      numbers.push(value);
    }
    timestamps.push(stamp);
    times.push(time);
    numeric.forEach((name, position) => columns.get(name)?.push(numbers[position] as number));
  }
  return { timestamps, times, columns, rejected };
}

/** Reads a NAB data file: `timestamp,value`. */
export async function readNabDataCsv(file: string): Promise<NabSeries> {
  return parseNabDataCsv(await readText(file, 'data file'), file);
}

export function parseNabDataCsv(text: string, file: string): NabSeries {
  const { timestamps, times, columns, rejected } = parseColumns(text, file, ['timestamp', 'value'], ['value']);
  return { file, timestamps, times, values: columns.get('value') ?? [], rejected };
}

/** Reads a detector's results file in NAB's layout, e.g. results/<detector>/realKnownCause/<detector>_nyc_taxi.csv. */
export async function readNabResultsCsv(file: string): Promise<NabResults> {
  return parseNabResultsCsv(await readText(file, 'results file'), file);
}

export function parseNabResultsCsv(text: string, file: string): NabResults {
  const required = ['timestamp', 'value', 'anomaly_score', 'label'];
  const { timestamps, times, columns, rejected } = parseColumns(text, file, required, ['value', 'anomaly_score', 'label']);
  return {
    file,
    timestamps,
    times,
    values: columns.get('value') ?? [],
    scores: columns.get('anomaly_score') ?? [],
    labels: columns.get('label') ?? [],
    rejected,
  };
}

/** Reads NAB's labels/combined_windows.json: data file path (relative to data/) → its anomaly windows. */
export async function readNabWindows(file: string): Promise<ReadonlyMap<string, readonly NabWindow[]>> {
  return parseNabWindows(await readText(file, 'labels file'), file);
}

export function parseNabWindows(text: string, file: string): ReadonlyMap<string, readonly NabWindow[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${file}: expected an object mapping data files to window lists, like {"realKnownCause/nyc_taxi.csv": [["2014-10-30 15:30:00.000000", "2014-11-03 22:30:00.000000"]]}`);
  }
  const windows = new Map<string, NabWindow[]>();
  for (const [dataFile, list] of Object.entries(json)) {
    if (!Array.isArray(list)) throw new Error(`${file}: "${dataFile}" must map to a list of [start, end] pairs`);
    windows.set(
      dataFile,
      list.map((pair: unknown, position) => {
        const [startText, endText] = Array.isArray(pair) ? pair : [];
        const start = typeof startText === 'string' ? parseNaiveTimestamp(startText) : Number.NaN;
        const end = typeof endText === 'string' ? parseNaiveTimestamp(endText) : Number.NaN;
        if (Number.isNaN(start) || Number.isNaN(end) || !Array.isArray(pair) || pair.length !== 2 || end < start) {
          throw new Error(`${file}: "${dataFile}" window ${position + 1} must be ["start", "end"] timestamps with start <= end; got ${JSON.stringify(pair)}`);
        }
        return { start, end, startText: startText as string, endText: endText as string };
      }),
    );
  }
  return windows;
}
