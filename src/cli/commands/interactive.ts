import type { Command } from 'commander';
import type { Runner } from '../program.js';

export function registerInteractive(program: Command, run: Runner): void {
  program
    .command('interactive')
    .description('the Ink menu console (the default on a terminal)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ ex-esdb-console\n  $ ex-esdb-console interactive --connect 127.0.0.1:7001 --cookie s3cret\n\nNeeds a terminal: without a TTY it exits 2.',
    )
    .action(
      run(async (config) => {
        // Loaded only here, so scripted commands never parse React / Ink.
        const { startConsole } = await import('../../console/startConsole.js');
        return startConsole(config);
      }),
    );
}
