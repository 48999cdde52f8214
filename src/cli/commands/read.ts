import type { Command } from 'commander';
import { ALL_EVENTS, plural, tailStream, type EventRecord } from '../../core/index.js';
import { eventTableHeader, eventTableRow } from '../../scripted/eventTable.js';
import { UsageError } from '../exitCodes.js';
import { intOpt, onStopSignal } from '../options.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';

interface ReadFlags {
  from?: string;
  count?: string;
  backward?: boolean;
  follow?: boolean;
}

export function registerRead(program: Command, run: Runner): void {
  const cmd = program
    .command('read')
    .argument('<stream>', 'stream id, e.g. greenhouse1')
    .description('read events of a stream: a table, or one JSON record per line with --json')
    .option('--from <version>', 'first version to read (default 0; backward: the last event)')
    .option('-n, --count <n|all>', 'how many events at most: a number (default 100) or all (pages through the stream)')
    .option('--backward', 'read from --from downwards')
    .option('-f, --follow', 'after the history, stay live and print new events as they come (Ctrl+C ends)')
    .addHelpText(
      'after',
      examples(
        'read greenhouse1',
        'read greenhouse1 --from 10 -n 5 --json',
        'read greenhouse1 --backward -n 1 --json   # the last event',
        'read greenhouse1 -n all --json > greenhouse1.ndjson',
        'read greenhouse1 -f                       # like tail -f',
      ),
    );
  cmd.action(
    run((config) =>
      withGater(config, async (gater) => {
        const stream = cmd.args[0]!;
        const f = cmd.opts<ReadFlags>();
        if (f.follow && f.backward) throw new UsageError('--follow reads forwards; drop --backward');
        const count =
          f.count === 'all'
            ? ALL_EVENTS
            : intOpt(f.count, '--count', { min: 1, fallback: f.follow ? ALL_EVENTS : 100 })!;
        let from = intOpt(f.from, '--from', { min: 0 });
        if (from === undefined) {
          if (!f.backward) from = 0;
          else {
            const v = await gater.api.getVersion(config.store, stream);
            if (v < 0) return 0; // an empty stream reads as nothing, forwards or backwards
            from = v;
          }
        }
        let n = 0;
        const print = (e: EventRecord) => {
          if (!config.json && n === 0) process.stdout.write(`${eventTableHeader()}\n`);
          process.stdout.write(`${config.json ? JSON.stringify(e) : eventTableRow(e)}\n`);
          n++;
        };
        if (f.follow) {
          const stop = new AbortController();
          const signal = onStopSignal();
          void signal.promise.then(() => stop.abort());
          try {
            if (!config.json && config.logLevel !== 'error' && config.logLevel !== 'silent')
              process.stderr.write(`👁️  following ${stream} on ${config.store} from version ${from} (Ctrl+C ends)\n`);
            for await (const e of tailStream(gater.api, config.store, stream, from, stop.signal)) {
              print(e);
              if (n >= count) break;
            }
          } finally {
            signal.dispose();
          }
          return 0;
        }
        const iter = f.backward
          ? gater.api.streamBackward(config.store, stream, from, count)
          : gater.api.streamForward(config.store, stream, from, count);
        for await (const e of iter) print(e);
        if (!config.json) {
          process.stderr.write(
            n === 0 ? `(no events in ${stream} from version ${from})\n` : `(${plural(n, 'event')} from ${stream})\n`,
          );
        }
        return 0;
      }),
    ),
  );
}
