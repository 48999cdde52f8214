import type { Command } from 'commander';
import type { Config } from '../config.js';
import type { Runner } from '../program.js';

type StartConsole = (config: Config) => Promise<number>;

/**
 * Loads a module by a computed URL so the type checker and bundlers do not need it to exist yet, and so
 * scripted runs never parse React/Ink.
 */
export async function importLoose<T>(relative: string): Promise<T> {
  return (await import(String(new URL(relative, import.meta.url)))) as T;
}

export function registerInteractive(program: Command, run: Runner): void {
  program
    .command('interactive')
    .description('the Ink menu console (the default on a terminal)')
    .addHelpText('after', '\nExamples:\n  $ ex-esdb-console\n  $ ex-esdb-console interactive --connect 127.0.0.1:7001 --cookie s3cret')
    .action(
      run(async (config) => {
        const { startConsole } = await importLoose<{ startConsole: StartConsole }>('../../console/startConsole.js');
        return startConsole(config);
      }),
    );
}
