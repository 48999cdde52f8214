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
 * authority: every request is checked again there). Each throws GaterError with a message that says what to do.
 */

const MAX_JSON_DEPTH = 64;

/**
 * Validates that `value` is plain JSON and returns a frozen private copy (so later caller mutations cannot reach
 * storage). With `copy: false` it only validates and returns `value` itself: for input that is already a private
 * copy (parsed from a transport frame). The path for error messages is built only when there is an error.
 */
export function cloneJson(value: unknown, what: string, options: { copy?: boolean } = {}): unknown {
  const path: (string | number)[] = [];
  return walkJson(value, what, path, options.copy !== false);
}

function walkJson(value: unknown, what: string, path: (string | number)[], copy: boolean): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  const here = () => what + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
  if (path.length > MAX_JSON_DEPTH)
    throw invalidArgument(`${here()} is nested deeper than ${MAX_JSON_DEPTH} levels; flatten it`);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw invalidArgument(`${here()} holds ${value}, which JSON cannot carry; use a finite number or a string`);
    return value;
  }
  if (Array.isArray(value)) {
    const out = copy ? new Array<unknown>(value.length) : value;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const v = walkJson(value[i], what, path, copy);
      path.pop();
      if (copy) out[i] = v;
    }
    return copy ? Object.freeze(out) : value;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as object).constructor?.name ?? 'object';
      throw invalidArgument(
        `${here()} is a ${kind}, not plain JSON; convert it (e.g. a Date to an ISO string) before appending`,
      );
    }
    const out: Record<string, unknown> | undefined = copy ? {} : undefined;
    for (const k in value) {
      const v = (value as Record<string, unknown>)[k];
      path.push(k);
      const c = walkJson(v, what, path, copy);
      path.pop();
      if (out) out[k] = c;
    }
    return out ? Object.freeze(out) : value;
  }
  if (value === undefined)
    throw invalidArgument(
      `${here()} is undefined, which JSON cannot carry (it would silently vanish); use null or leave the key out`,
    );
  throw invalidArgument(`${here()} is a ${typeof value}, which is not JSON-serialisable; pass plain JSON data`);
}

export function validateStore(store: unknown): string {
  if (typeof store !== 'string' || store.length === 0 || store.length > 255) {
    throw invalidArgument(`store must be a non-empty string such as "reg_gh", got ${describeValue(store)}`);
  }
  return store;
}

/** A UTF-16 surrogate not part of a pair (in `u` mode a pair is one code point, never `Cs`). */
const LONE_SURROGATE = /\p{Cs}/u;

/** Longest stream id (UTF-16 units). */
export const MAX_STREAM_ID_LENGTH = 1024;

/**
 * A name stored as text (stream id, event type, event id): a non-empty string of well-formed Unicode without NUL,
 * at most `max` long. A lone surrogate would be replaced on its way into SQLite or PostgreSQL (two names becoming
 * one) and PostgreSQL refuses NUL, so both are refused here, on every path alike.
 */
export function validateTextId(v: unknown, what: string, max: number, example?: string): string {
  if (typeof v !== 'string' || v.length === 0) {
    const eg = example ? ` such as "${example}"` : '';
    throw invalidArgument(`${what} must be a non-empty string${eg}, got ${describeValue(v)}`);
  }
  if (v.length > max) throw invalidArgument(`${what} is longer than ${max} characters; use a shorter one`);
  if (v.includes('\0')) throw invalidArgument(`${what} contains a NUL character (\\u0000); remove it`);
  if (LONE_SURROGATE.test(v))
    throw invalidArgument(`${what} contains a lone UTF-16 surrogate (not valid Unicode); fix its encoding`);
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
