import type { Command } from 'commander';
import { recordLine } from '../../scripted/eventLines.js';
import { UsageError } from '../exitCodes.js';
import { intOpt } from '../options.js';
import type { Runner } from '../program.js';
import { examples, withGater } from './common.js';

interface ReadFlags {
  from?: string;
  count?: string;
  backward?: boolean;
}

export function registerRead(program: Command, run: Runner): void {
  const cmd = program
    .command('read')
    .argument('<stream>', 'stream id, e.g. greenhouse1')
    .description('read events of a stream (one JSON record per line with --json)')
    .option('--from <version>', 'first version to read (default 0; backward: the last event)')
    .option('--count <n>', 'how many events at most (default 100)')
    .option('--backward', 'read from --from downwards')
    .addHelpText(
      'after',
      examples(
        'read greenhouse1',
        'read greenhouse1 --from 10 --count 5 --json',
        'read greenhouse1 --backward --count 1 --json   # the last event',
      ),
    );
  cmd.action(
    run((config) =>
      withGater(config, async (gater) => {
        const stream = cmd.args[0]!;
        const f = cmd.opts<ReadFlags>();
        const count = intOpt(f.count, '--count', { min: 1, fallback: 100 })!;
        let from = intOpt(f.from, '--from', { min: 0 });
        if (from === undefined) {
          if (!f.backward) from = 0;
          else {
            const v = await gater.api.getVersion(config.store, stream);
            if (v < 0) return 0; // an empty stream reads as nothing, forwards or backwards
            from = v;
          }
        }
        if (from < 0) throw new UsageError('--from must be >= 0');
        const iter = f.backward
          ? gater.api.streamBackward(config.store, stream, from, count)
          : gater.api.streamForward(config.store, stream, from, count);
        let n = 0;
        for await (const e of iter) {
          process.stdout.write(`${config.json ? JSON.stringify(e) : recordLine(e)}\n`);
          n++;
        }
        if (!config.json && n === 0) process.stderr.write(`(no events in ${stream} from version ${from})\n`);
        return 0;
      }),
    ),
  );
}
