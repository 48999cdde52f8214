import type { Command } from 'commander';
import { buildProgram, runProgram } from './program.js';
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

/**
 * Whether argv names a command (or asks for help/version). Values of global flags that take one
 * (`--connect 127.0.0.1:7001`) are skipped, so they are not mistaken for a command.
 */
export function findsCommand(program: Command, args: string[]): boolean {
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).map((o) => o.long));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h' || a === '--version' || a === '-V') return true;
    if (a === '--') return i + 1 < args.length;
    if (a.startsWith('-')) {
      if (!a.includes('=') && takesValue.has(a)) i++;
      continue;
    }
    return true;
  }
  return false;
}
