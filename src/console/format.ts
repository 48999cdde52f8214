import { compactJson, type EventRecord, type Selector } from '../core/index.js';

export { appendedLine, compactJson, receivedLine, seenLine } from '../core/index.js';

/** One event for lists (append results, stream browser headings). */
export function eventSummary(e: EventRecord): string {
  return `${e.eventStreamId}:${e.eventType} (v${e.eventNumber}) => ${compactJson(e.data)}`;
}

/** A selector as the reference's `inspect` shows it: strings quoted, patterns as JSON. */
export function inspectSelector(s: Selector): string {
  return typeof s === 'string' ? JSON.stringify(s) : compactJson(s);
}

/** Pads or cuts to exactly `width` columns (table cells). */
export function cell(text: string, width: number): string {
  const t = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  return t.padEnd(width);
}

/** "3s ago", "-" for null; for registry and producer tables. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '-';
  const ms = Math.max(0, now - Date.parse(iso));
  if (ms < 1000) return `${ms} ms ago`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s ago`;
  return `${Math.round(ms / 60_000)} min ago`;
}

/** Local clock time of an ISO stamp, HH:MM:SS. */
export function clock(iso: string | null): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '-' : d.toTimeString().slice(0, 8);
}
