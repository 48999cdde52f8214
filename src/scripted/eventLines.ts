import { Chalk, type ChalkInstance } from 'chalk';
import type { EventRecord } from '../core/index.js';

/**
 * The console's event lines (reference §7.11) with payloads as compact JSON (DESIGN §7). Plain text here;
 * `colorLine` adds the reference themes (§6.7) for terminals.
 */
export function seenLine(e: EventRecord): string {
  return `SEEN ["${e.eventStreamId}:${e.eventType} (v${e.eventNumber}) => ${compact(e.data)}"]`;
}

export function receivedLine(subscription: string, e: EventRecord): string {
  return `RECEIVED ["${subscription}" "${e.eventStreamId}:${e.eventType} v(${e.eventNumber}) => ${compact(e.data)}"]`;
}

export function appendedLine(store: string, stream: string, count: number, version: number): string {
  return `APPENDED ["${count} event(s) to :${store}:${stream}.v(${version})"]`;
}

/** One event for `read`: `<stream>:<type> (v<n>) @<position> <created> => <data>`. */
export function recordLine(e: EventRecord): string {
  return `${e.eventStreamId}:${e.eventType} (v${e.eventNumber}) @${e.position} ${e.created} => ${compact(e.data)}`;
}

export function compact(v: unknown): string {
  return v === undefined ? 'null' : JSON.stringify(v);
}

/** A chalk instance honouring --no-color / NO_COLOR (and the terminal's own support otherwise). */
export function makeChalk(color: boolean): ChalkInstance {
  return color ? new Chalk() : new Chalk({ level: 0 });
}

/** SEEN / RECEIVED / APPENDED keep their tag plain and colour the bracketed message (reference §6.7). */
export function colorLine(c: ChalkInstance, line: string): string {
  const m = line.match(/^(SEEN|RECEIVED|APPENDED) (.*)$/s);
  if (!m) return line;
  const [, tag, rest] = m;
  const paint = tag === 'APPENDED' ? c.ansi256(11).bgAnsi256(0) : c.ansi256(10).bgAnsi256(0);
  return `${tag} ${paint(rest!)}`;
}
