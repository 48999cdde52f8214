import type { Command } from 'commander';
import { toGaterError, type Gater } from '../../core/index.js';
import type { Config } from '../config.js';
import { exitCodeFor } from '../exitCodes.js';
import type { Runner } from '../runner.js';
import { openGater } from '../session.js';
import type { ConsoleIo } from '../../console/startConsole.js';

export function registerInteractive(program: Command, run: Runner): void {
  program
    .command('interactive')
    .description('the Ink menu console (the default on a terminal)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ ex-esdb-console\n  $ ex-esdb-console interactive --connect 127.0.0.1:7001 --cookie s3cret\n\nNeeds a terminal: without a TTY it exits 2.',
    )
    .action(run((config) => runInteractive(config)));
}

/**
 * Opens the gateway the flags ask for with its logs routed to the console's log pane, runs the console on it,
 * and stops the gateway afterwards. Exit 2 without a terminal (checked before any gateway starts), 1/3 when the
 * gateway cannot start.
 */
export async function runInteractive(config: Config, io: ConsoleIo = {}): Promise<number> {
  // Loaded only here, so scripted commands never parse React / Ink.
  const { LogStore, NO_TERMINAL, hasTerminal, startConsole } = await import('../../console/index.js');
  const stderr = io.stderr ?? process.stderr;
  const say = (text: string) => {
    try {
      stderr.write(`${text}\n`);
    } catch {
      // the terminal may be gone (hang-up); nothing left to tell
    }
  };
  if (!hasTerminal(io.stdin ?? process.stdin)) {
    say(NO_TERMINAL);
    return 2;
  }
  const logs = new LogStore(200, config.logLevel);
  let gater: Gater;
  try {
    gater = await openGater(config, logs.log);
  } catch (e) {
    say(`❌ Could not start the gateway: ${toGaterError(e).message}`);
    return exitCodeFor(e);
  }
  try {
    return await startConsole(gater, { ...io, logs, color: config.color });
  } finally {
    try {
      await gater.stop();
    } catch (e) {
      say(`⚠️  The gateway did not stop cleanly: ${toGaterError(e).message}`);
    }
  }
}
