import { createInterface } from 'node:readline/promises';
import { UsageError } from './exitCodes.js';

/**
 * Asks "question [y/N]" on the terminal before a destructive step. Without a terminal to ask on (scripts, CI) it
 * refuses with a usage error telling the caller to pass --yes, so nothing is changed by accident.
 */
export async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY)
    throw new UsageError(`${question.replace(/\?$/, '')}: confirm with --yes (no terminal to ask on)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
