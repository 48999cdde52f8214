import type { EventRecord } from './types.js';

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
