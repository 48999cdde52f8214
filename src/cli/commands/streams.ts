import type { Command } from 'commander';
import { createOutput } from '../output.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';

export function registerStreams(program: Command, run: Runner): void {
  program
    .command('streams')
    .description('list the streams of the store')
    .addHelpText('after', examples('streams', 'streams --json   # {"store":"reg_gh","streams":["greenhouse1",...]}'))
    .action(
      run((config) =>
        withGater(config, async (gater) => {
          const streams = await gater.api.getStreams(config.store);
          createOutput(config.json).listResult(
            { store: config.store, streams },
            streams.length,
            () => streams.join('\n'),
            `(no streams in ${config.store})`,
          );
          return 0;
        }),
      ),
    );
}
