import { Chalk, type ChalkInstance } from 'chalk';
import { compactJson as compact, type EventRecord } from '../core/index.js';

export { appendedLine, receivedLine, seenLine } from '../core/index.js';

/** One event for `read`: `<stream>:<type> (v<n>) @<position> <created> => <data>`. */
export function recordLine(e: EventRecord): string {
  return `${e.eventStreamId}:${e.eventType} (v${e.eventNumber}) @${e.position} ${e.created} => ${compact(e.data)}`;
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
