import type { EventRecord, Selector } from '../core/index.js';

/**
 * Output line shapes of the reference console (EXESDB_SPEC §7.11), with payloads as compact JSON instead of
 * Elixir `inspect` (DESIGN §7). Strings are not re-escaped inside the brackets, as in the console guide.
 */
export function compactJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** `SEEN ["greenhouse1:temperature_measured:v1 (v15) => {"temperature":23}"]` */
export function seenLine(e: EventRecord): string {
  return `SEEN ["${e.eventStreamId}:${e.eventType} (v${e.eventNumber}) => ${compactJson(e.data)}"]`;
}

/** `RECEIVED ["my_subscription" "greenhouse1:humidity_measured:v1 v(12) => {"humidity":65}"]` (note `v(N)`). */
export function receivedLine(name: string, e: EventRecord): string {
  return `RECEIVED ["${name}" "${e.eventStreamId}:${e.eventType} v(${e.eventNumber}) => ${compactJson(e.data)}"]`;
}

/** `APPENDED ["1 event(s) to :reg_gh:greenhouse1.v(5)"]` */
export function appendedLine(store: string, stream: string, count: number, version: number): string {
  return `APPENDED ["${count} event(s) to :${store}:${stream}.v(${version})"]`;
}

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
