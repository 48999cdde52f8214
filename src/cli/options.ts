import { parseDurationMs, type ExpectedVersion } from '../core/index.js';
import { UsageError } from './exitCodes.js';

/** Per-command flag parsers: each throws UsageError (exit 2) naming the flag and what it accepts. */

export function intOpt(
  v: string | undefined,
  flag: string,
  opts: { min?: number; fallback?: number } = {},
): number | undefined {
  if (v === undefined) return opts.fallback;
  const min = opts.min ?? 0;
  if (!/^-?\d+$/.test(v.trim()) || Number(v) < min)
    throw new UsageError(`${flag} must be an integer >= ${min}, got "${v}"`);
  return safe(v, flag);
}

/** A larger integer would be rounded (9007199254740993 -> ...992): refused rather than silently changed. */
function safe(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n))
    throw new UsageError(`${flag} is too large to be exact, got "${v}"; at most ${Number.MAX_SAFE_INTEGER}`);
  return n;
}

/** Milliseconds: `500`, `500ms`, `2s`, `1.5s`, `1m`. */
export function durationOpt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = parseDurationMs(v);
  if (n === undefined) throw new UsageError(`${flag} must be a duration such as 500, 500ms, 2s or 1m, got "${v}"`);
  if (n < 1) throw new UsageError(`${flag} must be at least 1 ms, got "${v}"`);
  return n;
}

export function expectedVersionOpt(v: string | undefined): ExpectedVersion {
  if (v === undefined) return 'any';
  const s = v.trim();
  if (s === 'any' || s === 'no_stream' || s === 'stream_exists') return s;
  if (/^-?\d+$/.test(s) && Number(s) >= -1) return safe(s, '--expected-version');
  throw new UsageError(`--expected-version must be any, no_stream, stream_exists or an integer >= -1, got "${v}"`);
}

export function jsonOpt(v: string | undefined, flag: string): unknown {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch (e) {
    throw new UsageError(`${flag} must be JSON (e.g. '{"temperature":21}'): ${(e as Error).message}`);
  }
}

/**
 * Resolves when SIGINT/SIGTERM arrives (Ctrl+C ends a live command cleanly with exit 0). Until disposed it keeps
 * the process alive: an embedded gateway holds no socket, and signal listeners alone do not stop Node from exiting.
 */
export function onStopSignal(): { promise: Promise<string>; dispose: () => void } {
  let resolve!: (s: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  const handler = (sig: string) => resolve(sig);
  const keepAlive = setInterval(() => {}, 1 << 30);
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return {
    promise,
    dispose: () => {
      clearInterval(keepAlive);
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
