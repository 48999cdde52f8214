import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { GaterError } from '../../core/index.js';
import { UsageError } from '../exitCodes.js';
import { intOpt, jsonOpt } from '../options.js';
import { createOutput } from '../output.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';

function versionArg(v: string | undefined): number {
  return intOpt(v, '<version>', { min: 0 })!;
}

export function registerSnapshot(program: Command, run: Runner): void {
  const snapshot = program
    .command('snapshot')
    .description('record, read, delete and list snapshots (source uuid, stream uuid, version)')
    .addHelpText(
      'after',
      examples(
        `snapshot record order-agg order-42 7 --data '{"total":99}'`,
        'snapshot read order-agg order-42 7 --json',
        'snapshot list --source order-agg --json',
        'snapshot delete order-agg order-42 7',
      ),
    );

  const rec = snapshot
    .command('record')
    .argument('<source>', 'source uuid (e.g. the aggregate type)')
    .argument('<stream>', 'stream uuid')
    .argument('<version>', 'version the snapshot was taken at')
    .option('--data <json>', 'the snapshot as JSON')
    .option('--file <path>', 'the snapshot from a JSON file')
    .description('store a snapshot')
    .addHelpText('after', examples(`snapshot record order-agg order-42 7 --data '{"total":99}' --json`));
  rec.action(
    run(async (config) => {
      const [source, stream, v] = rec.args as [string, string, string];
      const version = versionArg(v);
      const f = rec.opts<{ data?: string; file?: string }>();
      if ((f.data === undefined) === (f.file === undefined))
        throw new UsageError('give the snapshot with exactly one of --data <json> or --file <path>');
      const record =
        f.data !== undefined
          ? jsonOpt(f.data, '--data')
          : jsonOpt(
              await readFile(f.file!, 'utf8').catch((e: Error) => {
                throw new UsageError(`cannot read --file ${f.file}: ${e.message}`);
              }),
              '--file',
            );
      return withGater(config, async (gater) => {
        await gater.api.recordSnapshot(config.store, source, stream, version, record);
        createOutput(config.json).result(
          { store: config.store, sourceUuid: source, streamUuid: stream, version, recorded: true },
          () => `✅ Snapshot ${source}/${stream}@${version} recorded`,
        );
        return 0;
      });
    }),
  );

  const read = snapshot
    .command('read')
    .argument('<source>', 'source uuid')
    .argument('<stream>', 'stream uuid')
    .argument('<version>', 'version')
    .description('print a snapshot (exit 1, not_found, when there is none)')
    .addHelpText('after', examples('snapshot read order-agg order-42 7 --json'));
  read.action(
    run(async (config) => {
      const [source, stream, v] = read.args as [string, string, string];
      const version = versionArg(v);
      return withGater(config, async (gater) => {
        const snap = await gater.api.readSnapshot(config.store, source, stream, version);
        createOutput(config.json).result({ store: config.store, ...snap }, () => JSON.stringify(snap.record, null, 2));
        return 0;
      });
    }),
  );

  const del = snapshot
    .command('delete')
    .argument('<source>', 'source uuid')
    .argument('<stream>', 'stream uuid')
    .argument('<version>', 'version')
    .description('delete a snapshot (exit 1, not_found, when there is none)')
    .addHelpText('after', examples('snapshot delete order-agg order-42 7 --json'));
  del.action(
    run(async (config) => {
      const [source, stream, v] = del.args as [string, string, string];
      const version = versionArg(v);
      return withGater(config, async (gater) => {
        if (!(await gater.api.deleteSnapshot(config.store, source, stream, version)))
          throw new GaterError(
            'not_found',
            `no snapshot for source "${source}", stream "${stream}" at version ${version}; nothing deleted (see snapshot list)`,
            { sourceUuid: source, streamUuid: stream, version },
          );
        createOutput(config.json).result(
          { store: config.store, sourceUuid: source, streamUuid: stream, version, deleted: true },
          () => `🗑️  Snapshot ${source}/${stream}@${version} deleted`,
        );
        return 0;
      });
    }),
  );

  const list = snapshot
    .command('list')
    .option('--source <uuid>', 'only this source uuid (default any)')
    .option('--stream <uuid>', 'only this stream uuid (default any)')
    .description('list snapshots')
    .addHelpText('after', examples('snapshot list --json', 'snapshot list --source order-agg'));
  list.action(
    run(async (config) => {
      const f = list.opts<{ source?: string; stream?: string }>();
      return withGater(config, async (gater) => {
        const snapshots = await gater.api.listSnapshots(config.store, f.source ?? 'any', f.stream ?? 'any');
        createOutput(config.json).listResult(
          { store: config.store, snapshots },
          snapshots.length,
          () =>
            snapshots
              .map((s) => `${s.sourceUuid}/${s.streamUuid}@${s.version}  ${s.created}  ${JSON.stringify(s.record)}`)
              .join('\n'),
          '(no snapshots)',
        );
        return 0;
      });
    }),
  );
}
