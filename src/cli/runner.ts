import type { Config } from './config.js';

/**
 * Wraps a command body: resolves config, maps errors to exit codes and one-line messages (never a stack). Built by
 * program.ts and handed to each command's register function, which is why it lives apart from both.
 */
export type Runner = (
  fn: (config: Config) => Promise<number>,
  /** Reports an error (config included) and returns the exit code, instead of the default mapping. */
  onError?: (e: unknown, json: boolean) => number,
) => (...args: unknown[]) => Promise<void>;
