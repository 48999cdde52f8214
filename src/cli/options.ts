import { durationValue, expectedVersionValue, intValue, jsonValue, type ExpectedVersion } from '../core/index.js';
import { UsageError } from './exitCodes.js';

/** Per-command flag parsers: each throws UsageError (exit 2) naming the flag and what it accepts. */

const usage = (message: string) => new UsageError(message);

export function intOpt(
  v: string | undefined,
  flag: string,
  opts: { min?: number; fallback?: number } = {},
): number | undefined {
  return v === undefined ? opts.fallback : intValue(v, flag, opts.min ?? 0, usage);
}

/** Milliseconds: `500`, `500ms`, `2s`, `1.5s`, `1m`. */
export function durationOpt(v: string | undefined, flag: string): number | undefined {
  return v === undefined ? undefined : durationValue(v, flag, usage);
}

export function expectedVersionOpt(v: string | undefined): ExpectedVersion {
  return v === undefined ? 'any' : expectedVersionValue(v, usage);
}

export function jsonOpt(v: string | undefined, flag: string): unknown {
  return v === undefined ? undefined : jsonValue(v, flag, usage);
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
