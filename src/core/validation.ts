import { GaterError, invalidArgument } from './errors.js';
import {
  NACK_ACTIONS,
  SUBSCRIPTION_TYPES,
  type Direction,
  type ExpectedVersion,
  type NackAction,
  type SubscriptionType,
} from './types.js';

/**
 * Input checks shared by the gateway (to fail before anything crosses the wire) and the store node (the
 * authority: every request is checked again there, save an event batch that a gateway of its own process checked
 * and froze, see eventValidation.ts). Each throws GaterError with a message that says what to do.
 */

const MAX_JSON_DEPTH = 64;

/** Names the value being checked in an error message; a function so the hot path builds no strings. */
export type What = string | (() => string);
const whatText = (what: What): string => (typeof what === 'string' ? what : what());

/**
 * A problem found deep inside a JSON value. The path is collected while the walk unwinds (each level adds its
 * key), so a valid value costs no path bookkeeping at all.
 */
class JsonProblem {
  readonly path: (string | number)[] = [];
  constructor(readonly message: (here: string) => string) {}
}

/**
 * Validates that `value` is plain JSON and returns a frozen private copy (so later caller mutations cannot reach
 * storage). With `copy: false` it only validates and returns `value` itself: for input that is already a private
 * copy (parsed from a transport frame).
 */
export function cloneJson(value: unknown, what: What, options: { copy?: boolean } = {}): unknown {
  return checkJson(value, what, options.copy !== false, { bytes: 0 });
}

/**
 * cloneJson that also adds to `size.bytes` an upper bound of the value's JSON size (every string character
 * escaped to 6 bytes, every number 24): one walk does the validation, the copy and the size check's estimate.
 */
export function checkJson(value: unknown, what: What, copy: boolean, size: { bytes: number }): unknown {
  try {
    return walkJson(value, 0, copy, size);
  } catch (e) {
    if (!(e instanceof JsonProblem)) throw e;
    const here = whatText(what) + e.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
    throw invalidArgument(e.message(here));
  }
}

function walkJson(value: unknown, depth: number, copy: boolean, size: { bytes: number }): unknown {
  if (typeof value === 'string') {
    size.bytes += 2 + 6 * value.length;
    return value;
  }
  if (value === null || typeof value === 'boolean') {
    size.bytes += 5;
    return value;
  }
  if (depth > MAX_JSON_DEPTH)
    throw new JsonProblem((here) => `${here} is nested deeper than ${MAX_JSON_DEPTH} levels; flatten it`);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new JsonProblem(
        (here) => `${here} holds ${value}, which JSON cannot carry; use a finite number or a string`,
      );
    size.bytes += 24;
    return value;
  }
  if (Array.isArray(value)) {
    const out = copy ? new Array<unknown>(value.length) : value;
    size.bytes += 2 + value.length;
    for (let i = 0; i < value.length; i++) {
      let v: unknown;
      try {
        v = walkJson(value[i], depth + 1, copy, size);
      } catch (e) {
        if (e instanceof JsonProblem) e.path.unshift(i);
        throw e;
      }
      if (copy) out[i] = v;
    }
    return copy ? Object.freeze(out) : value;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as object).constructor?.name ?? 'object';
      throw new JsonProblem(
        (here) => `${here} is a ${kind}, not plain JSON; convert it (e.g. a Date to an ISO string) before appending`,
      );
    }
    const out: Record<string, unknown> | undefined = copy ? {} : undefined;
    size.bytes += 2;
    for (const k in value) {
      size.bytes += 4 + 6 * k.length;
      let c: unknown;
      try {
        c = walkJson((value as Record<string, unknown>)[k], depth + 1, copy, size);
      } catch (e) {
        if (e instanceof JsonProblem) e.path.unshift(k);
        throw e;
      }
      if (out) out[k] = c;
    }
    return out ? Object.freeze(out) : value;
  }
  if (value === undefined)
    throw new JsonProblem(
      (here) =>
        `${here} is undefined, which JSON cannot carry (it would silently vanish); use null or leave the key out`,
    );
  const kind = typeof value;
  throw new JsonProblem((here) => `${here} is a ${kind}, which is not JSON-serialisable; pass plain JSON data`);
}

export function validateStore(store: unknown): string {
  if (typeof store !== 'string' || store.length === 0 || store.length > 255) {
    throw invalidArgument(`store must be a non-empty string such as "reg_gh", got ${describeValue(store)}`);
  }
  return store;
}

/** Whether a string is well-formed Unicode (no lone UTF-16 surrogate): String#isWellFormed, in V8 since Node 20. */
const isWellFormed = (v: string): boolean => (v as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Longest stream id (UTF-16 units). */
export const MAX_STREAM_ID_LENGTH = 1024;

/**
 * A name stored as text (stream id, event type, event id): a non-empty string of well-formed Unicode without NUL,
 * at most `max` long. A lone surrogate would be replaced on its way into SQLite or PostgreSQL (two names becoming
 * one) and PostgreSQL refuses NUL, so both are refused here, on every path alike.
 */
export function validateTextId(v: unknown, what: What, max: number, example?: string): string {
  if (typeof v !== 'string' || v.length === 0) {
    const eg = example ? ` such as "${example}"` : '';
    throw invalidArgument(`${whatText(what)} must be a non-empty string${eg}, got ${describeValue(v)}`);
  }
  if (v.length > max) throw invalidArgument(`${whatText(what)} is longer than ${max} characters; use a shorter one`);
  if (v.includes('\0')) throw invalidArgument(`${whatText(what)} contains a NUL character (\\u0000); remove it`);
  if (!isWellFormed(v))
    throw invalidArgument(`${whatText(what)} contains a lone UTF-16 surrogate (not valid Unicode); fix its encoding`);
  return v;
}

export function validateStreamId(streamId: unknown): string {
  const s = validateTextId(streamId, 'stream id', MAX_STREAM_ID_LENGTH, 'greenhouse1');
  if (s.startsWith('$'))
    throw invalidArgument(
      `stream id ${describeValue(s)} starts with "$", which is reserved for system streams ($all is the whole store); use a name without the leading $`,
    );
  return s;
}

/** Versions, positions and counts must be exact in JSON and in every storage: safe integers only. */
const isSafeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

export function validateExpectedVersion(v: unknown): ExpectedVersion {
  if (v === undefined) return 'any';
  if (v === 'any' || v === 'no_stream' || v === 'stream_exists') return v;
  if (isSafeInt(v) && v >= -1) return v === -1 ? 'no_stream' : v;
  throw invalidArgument(
    `expected version must be 'any', 'no_stream', 'stream_exists' or an integer from -1 to ${Number.MAX_SAFE_INTEGER}, got ${describeValue(v)}`,
  );
}

/** Read arguments, in the reference's order of checks (start version first, then count). */
export function validateRead(
  startVersion: unknown,
  count: unknown,
  direction: unknown = 'forward',
): {
  start: number;
  count: number;
  direction: Direction;
} {
  if (!isSafeInt(startVersion)) {
    throw new GaterError(
      'invalid_start_version',
      `start version must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got ${describeValue(startVersion)}`,
      {
        startVersion: describeValue(startVersion),
      },
    );
  }
  if (startVersion < 0) {
    throw new GaterError(
      'invalid_start_version',
      `start version must be >= 0, got ${startVersion}; versions are 0-based`,
      {
        startVersion,
      },
    );
  }
  if (!isSafeInt(count)) {
    throw new GaterError(
      'invalid_count',
      `count must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}, got ${describeValue(count)}`,
      {
        count: describeValue(count),
      },
    );
  }
  if (count < 1) throw new GaterError('invalid_count', `count must be >= 1, got ${count}`, { count });
  if (direction !== 'forward' && direction !== 'backward') {
    throw invalidArgument(`direction must be 'forward' or 'backward', got ${describeValue(direction)}`);
  }
  return { start: startVersion, count, direction };
}

export function validateSubscriptionType(type: unknown): SubscriptionType {
  if (typeof type === 'string' && (SUBSCRIPTION_TYPES as readonly string[]).includes(type))
    return type as SubscriptionType;
  throw invalidArgument(
    `subscription type must be one of ${SUBSCRIPTION_TYPES.join(', ')}, got ${describeValue(type)}`,
  );
}

export function validateNackAction(action: unknown): NackAction {
  if (typeof action === 'string' && (NACK_ACTIONS as readonly string[]).includes(action)) return action as NackAction;
  throw invalidArgument(`nack action must be one of ${NACK_ACTIONS.join(', ')}, got ${describeValue(action)}`);
}

export function validateSubscriptionName(name: unknown): string {
  if (name === undefined) return 'transient';
  if (typeof name !== 'string' || name.trim().length === 0) {
    throw invalidArgument(`subscription name must be a non-empty string (or "transient"), got ${describeValue(name)}`);
  }
  return name;
}

export function validateNonNegativeInt(v: unknown, what: string, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (isSafeInt(v) && v >= 0) return v;
  throw invalidArgument(`${what} must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got ${describeValue(v)}`);
}

export function validateUuidArg(v: unknown, what: string, allowAny = false): string {
  if (typeof v === 'string' && v.length > 0) return v;
  throw invalidArgument(`${what} must be a non-empty string${allowAny ? " or 'any'" : ''}, got ${describeValue(v)}`);
}

/** Short, safe rendering of a bad value for an error message. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** Longest observer or subscription name: it must fit a table cell and be typed back. */
export const NAME_MAX = 64;

/**
 * An observer or subscription name as a person types it: trimmed, 1..NAME_MAX characters, nothing unprintable
 * (a 900-character or control-character name is accepted nowhere, rather than accepted and then unusable).
 */
export function validateName(kind: 'observer' | 'subscription', raw: unknown): string {
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (!name) throw invalidArgument(`${kind} name must not be empty; type a name such as "my_${kind}"`);
  if ([...name].length > NAME_MAX)
    throw invalidArgument(`${kind} name is ${[...name].length} characters long; at most ${NAME_MAX}`);
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name))
    throw invalidArgument(`${kind} name must be printable (no control characters), got ${JSON.stringify(name)}`);
  return name;
}
