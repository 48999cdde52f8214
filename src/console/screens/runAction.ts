import { toGaterError } from '../../core/index.js';
import { fail } from '../components/ResultBlock.js';
import type { ResultLine } from '../menu.js';

/**
 * Runs an action and hands its lines back to the shell; a failure becomes the reference's
 * `❌ Failed to <what>: <reason>` line instead of an exception (EXESDB_SPEC §7.12 item 4).
 */
export async function runAction(
  done: (lines: ResultLine[]) => void,
  failure: string,
  action: () => Promise<ResultLine[]>,
): Promise<void> {
  let lines: ResultLine[];
  try {
    lines = await action();
  } catch (e) {
    lines = [fail(`Failed to ${failure}: ${toGaterError(e).message}`)];
  }
  done(lines);
}
