import type { TreeRow } from './api/follow.js';
import { causationIdOf, correlationIdOf } from './correlation.js';
import type { EventRecord } from './types.js';

/**
 * One line of a causation tree for people: `stream #n  type  created  id`, indented where the tree branches, a
 * consequence in a chain marked `↳`, one among several `├─`/`└─`.
 */
export function treeRowText(row: TreeRow, parentDepth: number | undefined): string {
  const e = row.event;
  const body = `${e.eventStreamId} #${e.eventNumber}  ${e.eventType}  ${e.created}  ${e.eventId}`;
  if (row.parentId === undefined) return `${'   '.repeat(row.depth)}● ${body}`;
  const branch = parentDepth !== undefined && row.depth > parentDepth;
  const mark = branch ? (row.last ? '└─ ' : '├─ ') : '↳ ';
  return `${'   '.repeat(Math.max(0, branch ? row.depth - 1 : row.depth))}${mark}${body}`;
}

/** The rows as lines, each knowing its parent's depth. */
export function treeText(rows: readonly TreeRow[]): string[] {
  const depthOf = new Map<string, number>();
  return rows.map((r) => {
    depthOf.set(r.event.eventId, r.depth);
    return treeRowText(r, r.parentId === undefined ? undefined : depthOf.get(r.parentId));
  });
}

/** A tree row as `follow --json` prints it: the event with its place in the tree. */
export function treeRowJson(row: TreeRow): Record<string, unknown> {
  return {
    ...eventLinks(row.event),
    depth: row.depth,
    parentId: row.parentId ?? null,
    event: row.event,
  };
}

/** The ids that place an event in its transaction. */
export function eventLinks(e: EventRecord): {
  eventId: string;
  correlationId: string | null;
  causationId: string | null;
} {
  return {
    eventId: e.eventId,
    correlationId: correlationIdOf(e.metadata) ?? null,
    causationId: causationIdOf(e.metadata) ?? null,
  };
}
