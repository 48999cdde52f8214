import type { Command } from 'commander';
import { createOutput } from '../output.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';

export function registerVersion(program: Command, run: Runner): void {
  const cmd = program
    .command('version')
    .argument('<stream>', 'stream id, e.g. greenhouse1')
    .description('print the version of a stream (number of its last event, -1 when missing)')
    .addHelpText(
      'after',
      examples(
        'version greenhouse1',
        'version greenhouse1 --json   # {"store":"reg_gh","stream":"greenhouse1","version":9}',
      ),
    );
  cmd.action(
    run((config) =>
      withGater(config, async (gater) => {
        const stream = cmd.args[0]!;
        const version = await gater.api.getVersion(config.store, stream);
        createOutput(config.json).result({ store: config.store, stream, version }, () => String(version));
        return 0;
      }),
    ),
  );
}
