import { readFile } from 'node:fs/promises';
import { parseSkabTable, snakeCaseSignalId } from '../../simulators/replay/skab-csv.js';
import { parseNaiveTimestamp } from './naive-timestamp.js';

export interface SkabRow {
  /** Line in the file; the header is line 1. */
  readonly line: number;
  /** The `datetime` cell as written. */
  readonly datetime: string;
  /** Milliseconds since the epoch, the zone-less datetime read as UTC. */
  readonly time: number;
  /** One value per sensor column, in `sensors` order; NaN where the cell held no number. */
  readonly values: readonly number[];
  /** The `anomaly` label, or undefined when the file has no such column. */
  readonly anomaly: 0 | 1 | undefined;
  /** The `changepoint` label, or undefined when the file has no such column. */
  readonly changepoint: 0 | 1 | undefined;
}

export interface SkabRecording {
  readonly file: string;
  /** The header fields as written, for writing rows back in the same layout. */
  readonly header: readonly string[];
  /** Sensor column headers in file order (every column but `datetime` and the labels). */
  readonly sensors: readonly string[];
  /** The same columns as snake_case signal ids, as the SKAB replay simulator names them. */
  readonly signals: readonly string[];
  /** Readable rows in file order. */
  readonly rows: readonly SkabRow[];
  /** Rows kept aside: wrong field count, unreadable datetime, a label that is not 0 or 1. */
  readonly rejected: readonly { readonly line: number; readonly reason: string }[];
  /** Sensor cells that held no number (kept as NaN in their row). */
  readonly badCells: number;
}

const LABELS = ['anomaly', 'changepoint'] as const;

function readLabel(cell: string | undefined): 0 | 1 | undefined | 'invalid' {
  if (cell === undefined) return undefined;
  const value = Number(cell);
  return cell !== '' && (value === 0 || value === 1) ? value : 'invalid';
}

/**
 * Reads a CSV in the SKAB layout: `;` separated, `datetime` first, one numeric column per sensor and,
 * in labelled files, `anomaly` and `changepoint` columns holding 0.0/1.0.
 */
export async function readSkabCsv(file: string): Promise<SkabRecording> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the SKAB file ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseSkabCsv(text, file);
}

/** As readSkabCsv, from the file's text; `file` names it in messages. */
export function parseSkabCsv(text: string, file: string): SkabRecording {
  const { header, timeColumn, body } = parseSkabTable(text, file);
  const labelColumn = (name: string) => header.findIndex((field) => field.toLowerCase() === name);
  const [anomalyColumn, changepointColumn] = LABELS.map(labelColumn) as [number, number];
  const sensorColumns = header
    .map((name, index) => ({ name, index }))
    .filter(({ index }) => index !== timeColumn && index !== anomalyColumn && index !== changepointColumn);
  if (sensorColumns.length === 0) throw new Error(`${file}: the header names no sensor column besides datetime and the labels`);

  const rows: SkabRow[] = [];
  const rejected: { line: number; reason: string }[] = [];
  let badCells = 0;
  for (const { info, record } of body) {
    const line = info.lines;
    if (record.length !== header.length) {
      rejected.push({ line, reason: `${record.length} fields where the header has ${header.length}` });
      continue;
    }
    const datetime = record[timeColumn] ?? '';
    const time = parseNaiveTimestamp(datetime);
    if (Number.isNaN(time)) {
      rejected.push({ line, reason: `datetime "${datetime}" is not a date and time like 2020-03-09 10:14:33` });
      continue;
    }
    const anomaly = readLabel(anomalyColumn < 0 ? undefined : record[anomalyColumn]);
    const changepoint = readLabel(changepointColumn < 0 ? undefined : record[changepointColumn]);
    if (anomaly === 'invalid' || changepoint === 'invalid') {
      const column = anomaly === 'invalid' ? anomalyColumn : changepointColumn;
      rejected.push({ line, reason: `${header[column]} is "${record[column]}"; labels must be 0 or 1` });
      continue;
    }
    const values = sensorColumns.map(({ index }) => {
      const cell = record[index] ?? '';
      const value = cell === '' ? Number.NaN : Number(cell);
      if (Number.isFinite(value)) return value;
      badCells++;
      return Number.NaN;
    });
    rows.push({ line, datetime, time, values, anomaly, changepoint });
  }
  const sensors = sensorColumns.map(({ name }) => name);
  return { file, header, sensors, signals: sensors.map(snakeCaseSignalId), rows, rejected, badCells };
}
