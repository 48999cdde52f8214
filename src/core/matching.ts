import { invalidArgument } from './errors.js';
import type { EventRecord, Selector, SubscriptionType } from './types.js';
import { cloneJson, describeValue } from './validation.js';

/** The wildcard of subset patterns: matches any present value (the reference's `:_`). */
export const WILDCARD = '_';

/**
 * Subset match (DESIGN §4.4): every key of the pattern present in the value with a deep-equal value; the
 * wildcard matches any present value; arrays match whole (element-wise, same length); primitives strictly.
 */
export function subsetMatch(pattern: unknown, value: unknown): boolean {
  if (pattern === WILDCARD) return value !== undefined;
  if (Array.isArray(pattern)) {
    if (!Array.isArray(value) || value.length !== pattern.length) return false;
    return pattern.every((p, i) => subsetMatch(p, value[i]));
  }
  if (pattern !== null && typeof pattern === 'object') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    for (const [k, p] of Object.entries(pattern)) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) return false;
      if (!subsetMatch(p, (value as Record<string, unknown>)[k])) return false;
    }
    return true;
  }
  return pattern === value;
}

/** `$all`, `$<stream>`; a bare stream id is accepted and normalised to `$<stream>`. */
export function normaliseStreamSelector(selector: unknown): string {
  if (typeof selector !== 'string' || selector.length === 0 || selector === '$') {
    throw invalidArgument(
      `by_stream selector must be "$all" or "$<stream>" (e.g. "$greenhouse1"), got ${describeValue(selector)}`,
    );
  }
  return selector.startsWith('$') ? selector : `$${selector}`;
}

/** Validates a selector for its type and returns it in canonical form. */
export function normaliseSelector(type: SubscriptionType, selector: unknown): Selector {
  switch (type) {
    case 'by_stream':
      return normaliseStreamSelector(selector);
    case 'by_event_type':
      if (typeof selector !== 'string' || selector.length === 0) {
        throw invalidArgument(
          `by_event_type selector must be an event type such as "temperature_measured:v1", got ${describeValue(selector)}`,
        );
      }
      return selector;
    case 'by_event_pattern':
    case 'by_event_payload': {
      if (selector === null || typeof selector !== 'object' || Array.isArray(selector)) {
        throw invalidArgument(
          `${type} selector must be a JSON object pattern such as {"operator":"John"} ("_" matches any value), got ${describeValue(selector)}`,
        );
      }
      return cloneJson(selector, `${type} pattern`) as Record<string, unknown>;
    }
  }
}

/** The record fields a by_event_pattern pattern sees: the EventRecord itself. */
export function makeFilter(type: SubscriptionType, selector: Selector): (r: EventRecord) => boolean {
  switch (type) {
    case 'by_stream': {
      const s = selector as string;
      if (s === '$all') return () => true;
      const stream = s.slice(1);
      return (r) => r.eventStreamId === stream;
    }
    case 'by_event_type':
      return (r) => r.eventType === selector;
    case 'by_event_pattern':
      return (r) => subsetMatch(selector, r);
    case 'by_event_payload':
      return (r) => subsetMatch(selector, r.data);
  }
}

/** For `$<stream>` subscriptions the stream id, else undefined (positions are then global). */
export function streamOfSelector(type: SubscriptionType, selector: Selector): string | undefined {
  if (type !== 'by_stream' || selector === '$all') return undefined;
  return (selector as string).slice(1);
}

/** Canonical JSON (sorted keys) so equal patterns hash and compare equal whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** FNV-1a 32-bit, rendered as uppercase hex: our deterministic stand-in for the reference's phash2. */
export function hashHex(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).toUpperCase();
}

/** The reference's sub-topic rules (EXESDB_SPEC §4.4), first match wins. */
export function subTopic(type: SubscriptionType, name: string, selector: Selector): string {
  if (type === 'by_stream') {
    if (name === 'all-events' && selector === '$all') return '$all';
    if (name === 'transient') return selector as string;
    return `$${name}`;
  }
  if (type === 'by_event_type') return name === 'transient' ? (selector as string) : `*${name}-${selector as string}`;
  const prefix = type === 'by_event_pattern' ? 'evt-pat' : 'evt-pay';
  return `${prefix}-${name}-${hashHex(canonicalJson(selector))}`;
}

/** `"<store>:<sub_topic>"`. */
export function topicFor(store: string, type: SubscriptionType, name: string, selector: Selector): string {
  return `${store}:${subTopic(type, name, selector)}`;
}

/** Identity of a persistent subscription: (type, selector, name). */
export function subscriptionKey(type: SubscriptionType, selector: Selector, name: string): string {
  return `${type}|${name}|${canonicalJson(selector)}`;
}
