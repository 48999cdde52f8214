import { parsePattern, subsetMatch, type EventRecord } from '../../core/index.js';
import type { Count, EventMatch } from './types.js';

/** A failed expectation: the step fails with this message, and the scenario goes on. */
export class ExpectationFailed extends Error {
  override readonly name = 'ExpectationFailed';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** `= 3`, `>= 1`, `<= 0`, `1..5`. */
export function describeCount(c: Count): string {
  if (typeof c === 'number') return `= ${c}`;
  if (c.eq !== undefined) return `= ${c.eq}`;
  if (c.min !== undefined && c.max !== undefined) return `${c.min}..${c.max}`;
  if (c.min !== undefined) return `>= ${c.min}`;
  return `<= ${c.max}`;
}

export function countHolds(c: Count, actual: number): boolean {
  if (typeof c === 'number') return actual === c;
  if (c.eq !== undefined && actual !== c.eq) return false;
  if (c.min !== undefined && actual < c.min) return false;
  if (c.max !== undefined && actual > c.max) return false;
  return true;
}

/** Checks a count; returns the failure text (`count = 3, got 2`) or undefined. */
export function checkCount(label: string, c: Count | undefined, actual: number): string | undefined {
  if (c === undefined || countHolds(c, actual)) return undefined;
  return `${label} ${describeCount(c)}, got ${actual}`;
}

export function describeMatch(m: EventMatch): string {
  const parts: string[] = [];
  if (m.stream !== undefined) parts.push(`stream ${m.stream}`);
  if (m.type !== undefined) parts.push(`type ${m.type}`);
  if (m.payload !== undefined)
    parts.push(`payload ${typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload)}`);
  if (m.pattern !== undefined)
    parts.push(`record ${typeof m.pattern === 'string' ? m.pattern : JSON.stringify(m.pattern)}`);
  return parts.join(', ');
}

/** A predicate for an EventMatch: all the given conditions at once. */
export function matcher(m: EventMatch): (e: EventRecord) => boolean {
  const stream = m.stream === undefined || m.stream === '$all' ? undefined : m.stream.replace(/^\$/, '');
  const payload =
    m.payload === undefined ? undefined : typeof m.payload === 'string' ? parsePattern(m.payload) : m.payload;
  const pattern =
    m.pattern === undefined ? undefined : typeof m.pattern === 'string' ? parsePattern(m.pattern) : m.pattern;
  return (e) =>
    (stream === undefined || e.eventStreamId === stream) &&
    (m.type === undefined || e.eventType === m.type) &&
    (payload === undefined || subsetMatch(payload, e.data)) &&
    (pattern === undefined || subsetMatch(pattern, e));
}

/** every / some / none over a list of events; returns failure texts. */
export function checkMatches(
  events: EventRecord[],
  q: { every?: EventMatch; some?: EventMatch; none?: EventMatch },
): string[] {
  const out: string[] = [];
  const show = (e: EventRecord) => `${e.eventStreamId}:${e.eventType} (v${e.eventNumber}) ${JSON.stringify(e.data)}`;
  if (q.every) {
    const bad = events.filter((e) => !matcher(q.every!)(e));
    if (bad.length)
      out.push(
        `every event should match ${describeMatch(q.every)}, but ${bad.length} of ${events.length} do not (first: ${show(bad[0]!)})`,
      );
  }
  if (q.some && !events.some(matcher(q.some)))
    out.push(`some event should match ${describeMatch(q.some)}, but none of ${events.length} does`);
  if (q.none) {
    const bad = events.filter(matcher(q.none));
    if (bad.length)
      out.push(`no event should match ${describeMatch(q.none)}, but ${bad.length} do (first: ${show(bad[0]!)})`);
  }
  return out;
}
