import type { BrowsedVariable } from './opcua-browse.js';

const HEADERS = ['PATH', 'NODE ID', 'TYPE', 'UNIT', 'EU RANGE'] as const;

/** The browsed variables as an aligned plain-text table, one variable per line, for `millwright browse`. */
export function formatVariableTable(variables: readonly BrowsedVariable[]): string {
  const rows = variables.map((variable) => [
    variable.path,
    variable.nodeId,
    variable.valueRank >= 0 ? `${variable.dataType}[]` : variable.dataType,
    variable.unit ?? '',
    variable.euRange ? `${variable.euRange.low}..${variable.euRange.high}` : '',
  ]);
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(HEADERS), ...rows.map(line)].join('\n');
}
