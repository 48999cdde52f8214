import { isGaterError } from '../core/errors.js';

/** Exit codes of every command (DESIGN §7). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unavailable: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Codes meaning "the cluster could not be reached", which scripts treat differently from a refused operation. */
const UNAVAILABLE = new Set(['no_workers', 'timeout', 'unauthorized', 'connection_closed']);

export function exitCodeFor(e: unknown): ExitCode {
  if (e instanceof UsageError) return EXIT.usage;
  if (isGaterError(e)) return UNAVAILABLE.has(e.code) ? EXIT.unavailable : EXIT.failed;
  return EXIT.failed;
}

/** A bad flag, argument or combination: exit 2 with a message that says what to type instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
