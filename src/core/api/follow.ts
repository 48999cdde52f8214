import { causationIdOf, correlationIdOf, matchesKeys } from '../correlation.js';
import { GaterError } from '../errors.js';
import type { EventRecord } from '../types.js';
import type { GaterApi } from './gaterApi.js';

/** Most ids asked about in one `correlated` request (the node's bound). */
const KEYS_PER_CALL = 500;
const PAGE = 1000;
/** Default bound on one transaction's events, so a mistaken id (say a correlation shared by everything) ends. */
export const FOLLOW_LIMIT = 10_000;

export interface Correlated {
  /** What was asked for. */
  id: string;
  /** Every event found, in position order. */
  events: EventRecord[];
  /** The correlation ids the events carry (usually one). */
  correlationIds: string[];
  /** True when `limit` events were found and the search stopped there. */
  truncated: boolean;
}

/** The ids an event links to: itself, its correlation and its cause. */
function linksOf(e: EventRecord): string[] {
  const out = [e.eventId];
  const c = correlationIdOf(e.metadata);
  if (c !== undefined) out.push(c);
  const k = causationIdOf(e.metadata);
  if (k !== undefined) out.push(k);
  return out;
}

/**
 * Every event of one business transaction: those carrying `id` as event id, correlation id or causation id, then,
 * until nothing new turns up, those linked to what was found (same correlation, caused by a found event, or the
 * cause of one). Each round asks the store's indexes about the ids not asked about yet; no scan of `$all`.
 */
export async function followCorrelation(
  api: GaterApi,
  store: string,
  id: string,
  limit = FOLLOW_LIMIT,
): Promise<Correlated> {
  if (id.trim() === '')
    throw new GaterError('invalid_argument', 'give a correlation id or an event id (e.g. from read --json)');
  const asked = new Set<string>();
  const found = new Map<string, EventRecord>();
  let pending = [id];
  const queued = new Set(pending);
  let truncated = false;
  while (pending.length > 0 && !truncated) {
    const batch = pending.slice(0, KEYS_PER_CALL);
    pending = pending.slice(KEYS_PER_CALL);
    for (const k of batch) asked.add(k);
    let after = -1;
    for (;;) {
      const page = await api.correlated(store, batch, after, PAGE);
      for (const e of page) {
        if (found.has(e.eventId)) continue;
        if (found.size >= limit) {
          truncated = true;
          break;
        }
        found.set(e.eventId, e);
        for (const k of linksOf(e))
          if (!asked.has(k) && !queued.has(k)) {
            queued.add(k);
            pending.push(k);
          }
      }
      const last = page[page.length - 1]?.position ?? after;
      // A store without global positions (ExESDB over the BEAM bridge) answers everything in one page.
      if (truncated || page.length < PAGE || last <= after) break;
      after = last;
    }
  }
  const events = [...found.values()].sort((a, b) => a.position - b.position);
  const correlationIds = [...new Set(events.map((e) => correlationIdOf(e.metadata)).filter((c) => c !== undefined))];
  return { id, events, correlationIds, truncated };
}

/** One line of a causation tree. */
export interface TreeRow {
  event: EventRecord;
  /** Indentation: grows only where an event has more than one consequence, so a long chain stays readable. */
  depth: number;
  /** The found event that caused this one, if any. */
  parentId: string | undefined;
  /** True for the last consequence of its parent (drawn with └ rather than ├). */
  last: boolean;
}

/**
 * The events as a tree by causation, depth first, consequences in position order. Roots are events whose cause
 * was not found (the command, or nothing). A chain (each event caused by the one before) stays at one depth.
 */
export function causationTree(events: readonly EventRecord[]): TreeRow[] {
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const children = new Map<string, EventRecord[]>();
  const roots: EventRecord[] = [];
  for (const e of [...events].sort((a, b) => a.position - b.position)) {
    const cause = causationIdOf(e.metadata);
    if (cause !== undefined && cause !== e.eventId && byId.has(cause)) {
      const list = children.get(cause);
      if (list) list.push(e);
      else children.set(cause, [e]);
    } else roots.push(e);
  }
  const rows: TreeRow[] = [];
  const seen = new Set<string>();
  // An explicit stack: a chain of 10,000 events would overflow a recursive walk.
  const stack: { e: EventRecord; depth: number; parentId: string | undefined; last: boolean }[] = roots
    .map((e, i) => ({ e, depth: 0, parentId: undefined, last: i === roots.length - 1 }))
    .reverse();
  const sorted = [...events].sort((a, b) => a.position - b.position);
  let next = 0;
  for (;;) {
    // Events caught in a causation cycle (bad data) have no root: the first one not shown yet becomes one.
    if (stack.length === 0) {
      while (next < sorted.length && seen.has(sorted[next]!.eventId)) next++;
      if (next === sorted.length) break;
      stack.push({ e: sorted[next]!, depth: 0, parentId: undefined, last: true });
    }
    const { e, depth, parentId, last } = stack.pop()!;
    if (seen.has(e.eventId)) continue; // a causation cycle in bad data: print each event once
    seen.add(e.eventId);
    rows.push({ event: e, depth, parentId, last });
    const kids = children.get(e.eventId) ?? [];
    const childDepth = kids.length > 1 ? depth + 1 : depth;
    for (let i = kids.length - 1; i >= 0; i--)
      stack.push({ e: kids[i]!, depth: childDepth, parentId: e.eventId, last: i === kids.length - 1 });
  }
  return rows;
}

/** Whether a new event belongs to the transaction `keys` describes; if so its links join `keys`. */
export function joinIfLinked(e: EventRecord, keys: Set<string>): boolean {
  if (!matchesKeys(e, keys)) return false;
  for (const k of linksOf(e)) keys.add(k);
  return true;
}

/** The ids a found transaction is known by, to match live events against. */
export function keysOf(result: Correlated): Set<string> {
  const keys = new Set<string>([result.id]);
  for (const e of result.events) for (const k of linksOf(e)) keys.add(k);
  return keys;
}
