import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { NewEvent } from '../../core/index.js';
import { generateGreenhouseEvents } from '../../domain/greenhouse/index.js';
import { appendedLine } from '../../scripted/eventLines.js';
import { parseEventsText, readAll } from '../../scripted/eventInput.js';
import { UsageError } from '../exitCodes.js';
import { expectedVersionOpt, intOpt, jsonOpt } from '../options.js';
import { createOutput } from '../output.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';

interface AppendFlags {
  type?: string;
  data?: string;
  metadata?: string;
  eventId?: string;
  idempotencyKey?: string;
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
    .option(
      '--idempotency-key <key>',
      'derive each event id from KEY and the event index: re-running the same command stores nothing twice',
    )
    .addHelpText(
      'after',
      examples(
        `append greenhouse1 --type temperature_measured:v1 --data '{"temperature":21}'`,
        'append greenhouse1 --generate 10 --seed 42 --json   # {"store":"reg_gh","stream":"greenhouse1","version":9,"count":10}',
        'append greenhouse1 --file events.ndjson --expected-version 9',
        'append greenhouse1 --file events.ndjson --idempotency-key import-2024-06-01   # safe to re-run',
        `echo '[{"eventType":"a:v1","data":{}}]' | ex-esdb-console append s1 --json`,
      ) +
        '\n\nA stale --expected-version exits 1 with error code wrong_expected_version (details: expected, current).' +
        '\nEvent ids are unique per store: a batch already stored (same ids) is not written again and prints' +
        '\n"deduplicated": true; a batch of which only some ids are stored exits 1 with duplicate_event.' +
        '\nA timeout (exit 3) means the outcome is unknown: run the same command again with the same' +
        '\n--idempotency-key (or the same --event-id / file ids) and nothing is stored twice.',
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
      if (f.idempotencyKey !== undefined && f.idempotencyKey.length === 0)
        throw new UsageError('--idempotency-key needs a non-empty key, e.g. the name of this import');
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
        if (f.idempotencyKey !== undefined) batch = withIdempotentIds(batch, f.idempotencyKey);
        const { version, deduplicated } = await gater.api.appendEventsDetailed(config.store, stream, batch, expected);
        createOutput(config.json).result(
          // `deduplicated` only when true: the result of an ordinary append keeps its shape
          { store: config.store, stream, version, count: batch.length, ...(deduplicated ? { deduplicated } : {}) },
          () =>
            appendedLine(config.store, stream, batch.length, version) +
            (deduplicated ? ' (already stored: nothing written again)' : ''),
        );
        return 0;
      });
    }),
  );
}

/**
 * Stable event ids from an idempotency key: the same key and event index give the same id (UUID-shaped, from
 * SHA-256), so running the same command again is recognised by the store as a batch it already holds. An event
 * that carries its own eventId keeps it.
 */
export function withIdempotentIds(events: NewEvent[], key: string): NewEvent[] {
  return events.map((e, i) => (e.eventId !== undefined ? e : { ...e, eventId: idempotentId(key, i) }));
}

function idempotentId(key: string, index: number): string {
  const h = createHash('sha256').update(`ex-esdb-console idempotency\0${key}\0${index}`).digest('hex');
  // version nibble 8 (RFC 9562 "custom"), variant 10xx
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A seed that repeats for the same stream state, so `--generate --seed` is reproducible yet never re-sends old ids. */
function seedOf(seed: string, stream: string, version: number): string {
  return `${seed}:${stream}:${version}`;
}
