import type { Command } from 'commander';
import { buildProgram, firstCommand, runProgram } from './program.js';
import { EXIT } from './exitCodes.js';

/**
 * The binary's entry. With no command: the Ink console on a TTY (loaded lazily, so scripted runs never parse
 * React); without a TTY on stdin and stdout, or with CI set, help on stderr and exit 2.
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  const args = argv.slice(2);
  const program = buildProgram();
  if (!findsCommand(program, args)) {
    const interactive = process.stdin.isTTY && process.stdout.isTTY && !process.env.CI;
    if (!interactive) {
      process.stderr.write(program.helpInformation());
      process.stderr.write(
        '\nNo command given and no terminal to draw the console in: pass a command (e.g. status --json).\n',
      );
      process.exitCode = EXIT.usage;
      return;
    }
    await runProgram([...argv.slice(0, 2), ...args, 'interactive']);
    return;
  }
  await runProgram(argv);
}

/** Whether argv names a command (or asks for help/version). */
export function findsCommand(program: Command, args: string[]): boolean {
  return firstCommand(program, args) !== undefined;
}
