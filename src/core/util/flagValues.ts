import type { ExpectedVersion } from '../types.js';
import { parseDurationMs } from './text.js';

/**
 * Flag values as the scripted commands and the console's command bar both take them. Each parser returns the value
 * or throws what `fail` makes of the message, so the CLI can exit 2 with a UsageError and the command bar can show
 * the same words as a line.
 */
export type FailWith = (message: string) => Error;

/** An integer >= min, exact (a larger one would be rounded: 9007199254740993 -> ...992, so it is refused). */
export function intValue(v: string, flag: string, min: number, fail: FailWith): number {
  if (!/^-?\d+$/.test(v.trim()) || Number(v) < min) throw fail(`${flag} must be an integer >= ${min}, got "${v}"`);
  return exact(v, flag, fail);
}

function exact(v: string, flag: string, fail: FailWith): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n))
    throw fail(`${flag} is too large to be exact, got "${v}"; at most ${Number.MAX_SAFE_INTEGER}`);
  return n;
}

/** Milliseconds: `500`, `500ms`, `2s`, `1.5s`, `1m`; at least 1. */
export function durationValue(v: string, flag: string, fail: FailWith): number {
  const n = parseDurationMs(v);
  if (n === undefined) throw fail(`${flag} must be a duration such as 500, 500ms, 2s or 1m, got "${v}"`);
  if (n < 1) throw fail(`${flag} must be at least 1 ms, got "${v}"`);
  return n;
}

export function jsonValue(v: string, flag: string, fail: FailWith): unknown {
  try {
    return JSON.parse(v) as unknown;
  } catch (e) {
    throw fail(`${flag} must be JSON (e.g. '{"temperature":21}'): ${(e as Error).message}`);
  }
}

export function expectedVersionValue(v: string, fail: FailWith): ExpectedVersion {
  const s = v.trim();
  if (s === 'any' || s === 'no_stream' || s === 'stream_exists') return s;
  if (/^-?\d+$/.test(s) && Number(s) >= -1) return exact(s, '--expected-version', fail);
  throw fail(`--expected-version must be any, no_stream, stream_exists or an integer >= -1, got "${v}"`);
}
