import type { Command } from 'commander';
import { bashCompletion, zshCompletion } from '../completion.js';
import { UsageError } from '../exitCodes.js';
import type { Runner } from '../runner.js';
import { examples } from './common.js';

export function registerCompletion(program: Command, run: Runner): void {
  const cmd = program
    .command('completion')
    .argument('<shell>', 'bash or zsh')
    .description('print a shell completion script for bash or zsh (commands, subcommands and flags)')
    .addHelpText(
      'after',
      examples(
        'completion bash > ~/.local/share/bash-completion/completions/ex-esdb-console',
        'completion zsh > "${fpath[1]}/_ex-esdb-console"',
        'completion bash   # then: source <(ex-esdb-console completion bash)',
      ),
    );
  cmd.action(
    run(async () => {
      const shell = cmd.args[0];
      if (shell === 'bash') process.stdout.write(bashCompletion(program));
      else if (shell === 'zsh') process.stdout.write(zshCompletion(program));
      else throw new UsageError(`completion supports bash and zsh, got "${shell}"`);
      return 0;
    }),
  );
}
