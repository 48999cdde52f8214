import { GaterError } from '../errors.js';
import type { EventRecord, NewEvent } from '../types.js';

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** CSV columns, in order. `data` and `metadata` are compact JSON text. */
export const CSV_COLUMNS = [
  'position',
  'eventStreamId',
  'eventNumber',
  'eventId',
  'eventType',
  'created',
  'createdEpoch',
  'dataContentType',
  'metadataContentType',
  'data',
  'metadata',
] as const;

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The CSV header line (no newline). */
export function csvHeader(): string {
  return CSV_COLUMNS.join(',');
}

/** One event as a line of the export format (no newline). */
export function formatEvent(e: EventRecord, format: ExportFormat): string {
  if (format === 'ndjson') return JSON.stringify(e);
  return CSV_COLUMNS.map((c) =>
    csvField(c === 'data' || c === 'metadata' ? JSON.stringify(e[c] ?? null) : String(e[c])),
  ).join(',');
}

/** Splits one CSV record (RFC 4180 quoting; our exports never put a raw newline inside a field). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new GaterError('invalid_argument', 'unterminated quoted CSV field');
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
    } else {
      const c = line.indexOf(',', i);
      out.push(line.slice(i, c < 0 ? line.length : c));
      i = c < 0 ? line.length : c;
    }
    if (i >= line.length) return out;
    if (line[i] !== ',') throw new GaterError('invalid_argument', `unexpected character after a quoted CSV field`);
    i++;
  }
}

/** An event read back from an export: where it goes and what to append (its id kept). */
export interface ImportedEvent {
  streamId: string;
  event: NewEvent & { eventId: string };
}

/**
 * Turns one line of an export into an event to re-append, or undefined for the CSV header and blank lines.
 * `line` is 1-based, for the error message; `csv` says the file's format.
 */
export function parseExportLine(text: string, line: number, csv: boolean): ImportedEvent | undefined {
  if (text.trim() === '' || (csv && text === csvHeader())) return undefined;
  const bad = (why: string) =>
    new GaterError('invalid_argument', `line ${line}: ${why}; expected a line written by export`, { line });
  let r: Record<string, unknown>;
  if (csv) {
    const cells = parseCsvLine(text);
    if (cells.length !== CSV_COLUMNS.length) throw bad(`${cells.length} CSV fields, not ${CSV_COLUMNS.length}`);
    r = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, cells[i]]));
    try {
      r.data = JSON.parse(r.data as string);
      r.metadata = JSON.parse(r.metadata as string);
    } catch {
      throw bad('data / metadata are not JSON');
    }
    r.dataContentType = Number(r.dataContentType);
    r.metadataContentType = Number(r.metadataContentType);
  } else {
    try {
      r = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw bad('not JSON');
    }
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw bad('not a JSON object');
  }
  for (const k of ['eventStreamId', 'eventId', 'eventType'] as const)
    if (typeof r[k] !== 'string' || r[k] === '') throw bad(`${k} missing`);
  if (r.data === undefined) throw bad('data missing');
  return {
    streamId: r.eventStreamId as string,
    event: {
      eventId: r.eventId as string,
      eventType: r.eventType as string,
      data: r.data,
      metadata: r.metadata ?? undefined,
      ...(Number.isInteger(r.dataContentType) ? { dataContentType: r.dataContentType as number } : {}),
      ...(Number.isInteger(r.metadataContentType) ? { metadataContentType: r.metadataContentType as number } : {}),
    },
  };
}
