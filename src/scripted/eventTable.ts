import { compactJson, type EventRecord } from '../core/index.js';

/**
 * `read`'s human table. Columns have fixed minimum widths so rows printed one by one (`read --follow`) line up
 * with the header without knowing what comes later; the data column is last and never cut.
 */
const COLUMNS = [
  { head: 'Version', width: 7, of: (e: EventRecord) => String(e.eventNumber) },
  { head: 'Position', width: 8, of: (e: EventRecord) => String(e.position) },
  { head: 'Created', width: 24, of: (e: EventRecord) => e.created },
  { head: 'Type', width: 28, of: (e: EventRecord) => e.eventType },
  { head: 'Data', width: 0, of: (e: EventRecord) => compactJson(e.data) },
];

const line = (cells: string[]) =>
  cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(COLUMNS[i]!.width)))
    .join('  ')
    .trimEnd();

export function eventTableHeader(): string {
  return line(COLUMNS.map((c) => c.head));
}

export function eventTableRow(e: EventRecord): string {
  return line(COLUMNS.map((c) => c.of(e)));
}
