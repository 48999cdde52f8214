import type { Command } from 'commander';
import {
  GaterError,
  causationTree,
  eventLinks,
  followCorrelation,
  joinIfLinked,
  keysOf,
  plural,
  treeRowJson,
  treeText,
  FOLLOW_LIMIT,
  type EventRecord,
} from '../../core/index.js';
import { durationOpt, intOpt } from '../options.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';
import { runLive } from './live.js';

interface FollowFlags {
  live?: boolean;
  duration?: string;
  limit?: string;
}

export function registerFollow(program: Command, run: Runner): void {
  const cmd = program
    .command('follow')
    .argument('<id>', 'a correlation id, or the id of any event of the transaction')
    .description('every event of one business transaction across all streams, as a tree by causation')
    .option('--live', 'after the tree, keep printing new events of the transaction (Ctrl+C ends)')
    .option('--duration <ms>', 'with --live: stop after this long (500, 2s, 1m)')
    .option('--limit <n>', `stop after this many events (default ${FOLLOW_LIMIT})`)
    .addHelpText(
      'after',
      examples(
        'follow 01JDZ4T3Q7B2V9N6M8K1C5X0AW',
        'follow 01JDZ4T3Q7B2V9N6M8K1C5X0AW --json | jq -r .eventId',
        'follow 01JDZ4T3Q7B2V9N6M8K1C5X0AW --live',
      ) +
        '\n\nFinds events by metadata correlation_id (or correlationId, $correlationId), then follows causation_id\n' +
        '(causationId, $causationId) both ways. Exits 1 (not_found) when no event carries the id.',
    );
  cmd.action(
    run((config) =>
      withGater(config, async (gater) => {
        const id = cmd.args[0]!;
        const f = cmd.opts<FollowFlags>();
        const limit = intOpt(f.limit, '--limit', { min: 1, fallback: FOLLOW_LIMIT })!;
        const durationMs = durationOpt(f.duration, '--duration');
        const print = (line: string) => process.stdout.write(`${line}\n`);
        // Live: the subscription starts before the search, so an event appended meanwhile is in one or the other.
        const head = f.live ? await gater.api.getHeadPosition(config.store) : -1;
        const live = f.live
          ? await gater.api.subscribe(config.store, 'by_stream', '$all', { startFrom: head + 1 })
          : undefined;
        try {
          const found = await followCorrelation(gater.api, config.store, id, limit);
          if (found.events.length === 0 && !f.live)
            throw new GaterError(
              'not_found',
              `no event has id, correlation id or causation id ${id} in ${config.store}; ids are in read --json output`,
            );
          const rows = causationTree(found.events);
          if (config.json) for (const r of rows) print(JSON.stringify(treeRowJson(r)));
          else {
            const streams = new Set(found.events.map((e) => e.eventStreamId)).size;
            process.stderr.write(
              `🔗 ${id}: ${plural(found.events.length, 'event')} in ${plural(streams, 'stream')}` +
                `${found.correlationIds.length ? `, correlation ${found.correlationIds.join(', ')}` : ''}` +
                `${found.truncated ? ` (stopped at --limit ${limit})` : ''}\n`,
            );
            for (const line of treeText(rows)) print(line);
          }
          if (!live) return 0;
          const keys = keysOf(found);
          const seen = new Set(found.events.map((e) => e.eventId));
          return await runLive(
            config,
            {
              target: { type: 'by_stream', selector: '$all', label: `transaction ${id}` },
              from: undefined,
              count: undefined,
              durationMs,
            },
            async () => live,
            (e: EventRecord) => {
              if (seen.has(e.eventId) || !joinIfLinked(e, keys)) return;
              seen.add(e.eventId);
              const links = eventLinks(e);
              print(
                config.json
                  ? JSON.stringify({ ...links, parentId: links.causationId, live: true, event: e })
                  : `↳ ${e.eventStreamId} #${e.eventNumber}  ${e.eventType}  ${e.created}  ${e.eventId}  (live)`,
              );
            },
            'following',
          );
        } finally {
          await live?.close();
        }
      }),
    ),
  );
}
