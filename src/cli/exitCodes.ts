import { isGaterError } from '../core/index.js';
import { UNAVAILABLE_CODES } from '../scripted/unavailable.js';

/** Exit codes of every command (DESIGN §7). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unavailable: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Input errors raised by the scripted layer (bad pattern, bad event file, bad selector combination): exit 2. */
const USAGE_NAMES = new Set(['UsageError', 'PatternError', 'SelectorError', 'EventInputError', 'ScenarioFileError']);

export function exitCodeFor(e: unknown): ExitCode {
  if (isUsageError(e)) return EXIT.usage;
  if (e instanceof CommandFailed) return EXIT.failed;
  if (isGaterError(e)) return UNAVAILABLE_CODES.has(e.code) ? EXIT.unavailable : EXIT.failed;
  return EXIT.failed;
}

export function isUsageError(e: unknown): e is Error {
  return e instanceof Error && USAGE_NAMES.has(e.name);
}

/** A bad flag, argument or combination: exit 2 with a message that says what to type instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The command ran but its outcome is a failure that is not a gateway error (e.g. `observe --count 5` saw fewer
 * events before `--duration` ran out): exit 1, `{"error":{"code", "message", "details"}}` with --json.
 */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
