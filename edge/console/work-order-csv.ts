import type { WorkOrder } from './assistant-port.js';

const COLUMNS = ['id', 'asset', 'title', 'description', 'priority', 'alertId', 'references', 'createdBy', 'createdAt', 'status'] as const;

/**
 * Work orders as CSV (RFC 4180: comma-separated, quoted where needed, CRLF), one row each, references
 * joined by "; ". A text that a spreadsheet would run as a formula (= + - @ at its start) gets a
 * leading apostrophe: work order texts come from the assistant and the manuals.
 */
export function workOrdersCsv(orders: readonly WorkOrder[]): string {
  const rows = orders.map((order) => COLUMNS.map((column) => field(column === 'references' ? order.references.join('; ') : order[column])));
  return [COLUMNS.join(','), ...rows.map((row) => row.join(','))].join('\r\n') + '\r\n';
}

function field(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
