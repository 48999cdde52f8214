import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { NewEvent } from '../../core/index.js';
import { generateGreenhouseEvents } from '../../domain/greenhouse/index.js';
import { appendedLine } from '../../scripted/eventLines.js';
import { parseEventsText, readAll } from '../../scripted/eventInput.js';
import { UsageError } from '../exitCodes.js';
import { expectedVersionOpt, intOpt, jsonOpt } from '../options.js';
import { createOutput } from '../output.js';
import type { Runner } from '../program.js';
import { examples, withGater } from './common.js';

interface AppendFlags {
  type?: string;
  data?: string;
  metadata?: string;
  eventId?: string;
  expectedVersion?: string;
  file?: string;
  generate?: string;
  seed?: string;
}

export function registerAppend(program: Command, run: Runner): void {
  const cmd = program
    .command('append')
    .argument('<stream>', 'stream id, e.g. greenhouse1')
    .description(
      'append events to a stream: one from flags, many from --file or stdin, or --generate N greenhouse events',
    )
    .option('--type <eventType>', 'event type of a single event, e.g. temperature_measured:v1')
    .option('--data <json>', 'its data as JSON (default {})')
    .option('--metadata <json>', 'its metadata as JSON')
    .option('--event-id <id>', 'its event id (default: a new ULID)')
    .option('--file <path>', 'events from a JSON array or NDJSON file ("-" for stdin)')
    .option('--generate <n>', 'append N generated greenhouse events')
    .option('--seed <seed>', 'with --generate: same seed, same events')
    .option('--expected-version <v>', 'any (default) | no_stream | stream_exists | a version >= -1')
    .addHelpText(
      'after',
      examples(
        `append greenhouse1 --type temperature_measured:v1 --data '{"temperature":21}'`,
        'append greenhouse1 --generate 10 --seed 42 --json   # {"store":"reg_gh","stream":"greenhouse1","version":9,"count":10}',
        'append greenhouse1 --file events.ndjson --expected-version 9',
        `echo '[{"eventType":"a:v1","data":{}}]' | ex-esdb-console append s1 --json`,
      ) + '\n\nA stale --expected-version exits 1 with error code wrong_expected_version (details: expected, current).',
    );
  cmd.action(
    run(async (config) => {
      const stream = cmd.args[0]!;
      const f = cmd.opts<AppendFlags>();
      const expected = expectedVersionOpt(f.expectedVersion);
      const sources = [f.type !== undefined, f.file !== undefined, f.generate !== undefined].filter(Boolean).length;
      if (sources > 1) throw new UsageError('give events one way: --type (with --data), --file, or --generate');
      if (f.type === undefined && (f.data !== undefined || f.metadata !== undefined || f.eventId !== undefined)) {
        throw new UsageError('--data, --metadata and --event-id describe a single event: add --type <eventType>');
      }
      if (f.seed !== undefined && f.generate === undefined) throw new UsageError('--seed goes with --generate N');
      const generate = intOpt(f.generate, '--generate', { min: 1 });

      let events: NewEvent[] | undefined;
      if (f.type !== undefined) {
        if (!f.type) throw new UsageError('--type needs an event type such as temperature_measured:v1');
        // `--data null` is the JSON value null; only a missing --data means {}
        const ev: NewEvent = { eventType: f.type, data: f.data === undefined ? {} : jsonOpt(f.data, '--data') };
        if (f.metadata !== undefined) ev.metadata = jsonOpt(f.metadata, '--metadata');
        if (f.eventId !== undefined) ev.eventId = f.eventId;
        events = [ev];
      } else if (f.file !== undefined && f.file !== '-') {
        const text = await readFile(f.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
          throw new UsageError(`cannot read --file ${f.file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
        });
        events = parseEventsText(text, f.file);
      } else if (generate === undefined) {
        if (process.stdin.isTTY)
          throw new UsageError(
            'no events given: use --type, --file, --generate N, or pipe JSON / NDJSON events to stdin',
          );
        events = parseEventsText(await readAll(process.stdin), 'stdin');
      }

      return withGater(config, async (gater) => {
        let batch = events;
        if (batch === undefined) {
          const current = await gater.api.getVersion(config.store, stream);
          batch = generateGreenhouseEvents(
            current,
            generate!,
            f.seed === undefined ? {} : { seed: seedOf(f.seed, stream, current) },
          );
        }
        const version = await gater.api.appendEvents(config.store, stream, batch, expected);
        createOutput(config.json).result({ store: config.store, stream, version, count: batch.length }, () =>
          appendedLine(config.store, stream, batch.length, version),
        );
        return 0;
      });
    }),
  );
}

/** A seed that repeats for the same stream state, so `--generate --seed` is reproducible yet never re-sends old ids. */
function seedOf(seed: string, stream: string, version: number): string {
  return `${seed}:${stream}:${version}`;
}
