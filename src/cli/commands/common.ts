import type { Gater } from '../../core/index.js';
import type { Config } from '../config.js';
import { openGater } from '../session.js';

/** Opens the gateway the flags ask for, runs `fn`, and always stops the gateway afterwards. */
export async function withGater<T>(config: Config, fn: (gater: Gater) => Promise<T>): Promise<T> {
  const gater = await openGater(config);
  try {
    return await fn(gater);
  } finally {
    await gater.stop();
  }
}

/** Appends an "Examples:" block to a command's --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ex-esdb-console ${l}`).join('\n')}`;
}
