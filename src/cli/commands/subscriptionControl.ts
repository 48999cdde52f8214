import type { Command } from 'commander';
import { plural, renderTable, type ParkedEvent } from '../../core/index.js';
import type { Config } from '../config.js';
import { confirm } from '../confirm.js';
import { UsageError } from '../exitCodes.js';
import { intOpt } from '../options.js';
import { createOutput } from '../output.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';

interface ControlFlags {
  name: string;
  position?: string[];
  to?: string;
  yes?: boolean;
}

const positionsOpt = (v: string[] | undefined): number[] | undefined =>
  v?.flatMap((s) => s.split(',')).map((p) => intOpt(p.trim(), '--position', { min: 0 })!);

/** `subscriptions parked | replay-parked | skip-parked | reset | delete`: operator control of a named subscription. */
export function registerSubscriptionControl(subscriptions: Command, run: Runner): void {
  const named = (name: string, description: string, lines: string[]) =>
    subscriptions
      .command(name)
      .description(description)
      .option('--name <name>', 'the persistent subscription (required)')
      .addHelpText('after', examples(...lines));
  // Commander hands `--name` to `subscriptions` itself (where it filters the list) wherever it stands, so a
  // subcommand reads it from there.
  const act = (cmd: Command, fn: (config: Config, f: ControlFlags) => Promise<number>) =>
    cmd.action(
      run((config) => {
        const f = cmd.opts<Partial<ControlFlags>>();
        const name = f.name ?? subscriptions.opts<{ name?: string }>().name;
        if (!name) throw new UsageError(`subscriptions ${cmd.name()} needs --name <subscription>`);
        return fn(config, { ...f, name });
      }),
    );
  const collect = (v: string, prev: string[] = []) => [...prev, v];

  act(
    named('parked', 'list parked events: position, stream and version, retries, reason, when parked', [
      'subscriptions parked --name audit',
      'subscriptions parked --name audit --json   # one ParkedEvent per line',
    ]),
    (config, f) =>
      withGater(config, async (gater) => {
        const parked = await gater.api.listParked(config.store, f.name);
        if (config.json) for (const p of parked) process.stdout.write(`${JSON.stringify(p)}\n`);
        else if (parked.length === 0) process.stderr.write(`(no parked events for ${f.name})\n`);
        else {
          process.stdout.write(`${renderParked(parked)}\n`);
          process.stderr.write(`(${plural(parked.length, 'parked event')})\n`);
        }
        return 0;
      }),
  );

  act(
    named('replay-parked', 'deliver parked events again to the attached subscriber (all, or --position p)', [
      'subscriptions replay-parked --name audit',
      'subscriptions replay-parked --name audit --position 42 --json',
    ]).option('--position <p>', 'only the parked event at this global position (repeatable, or p1,p2)', collect),
    (config, f) =>
      withGater(config, async (gater) => {
        const r = await gater.api.replayParked(config.store, f.name, positionsOpt(f.position));
        createOutput(config.json).result(
          { store: config.store, name: f.name, ...r },
          () => `🔁 replayed ${plural(r.replayed, 'parked event')} to ${f.name}`,
        );
        return 0;
      }),
  );

  act(
    named('skip-parked', 'drop parked events for good (all, or --position p)', [
      'subscriptions skip-parked --name audit --position 42',
      'subscriptions skip-parked --name audit --yes --json',
    ])
      .option('--position <p>', 'only the parked event at this global position (repeatable, or p1,p2)', collect)
      .option('--yes', 'do not ask for confirmation'),
    (config, f) =>
      withGater(config, async (gater) => {
        const positions = positionsOpt(f.position);
        const what = positions ? plural(positions.length, 'parked event') : 'every parked event';
        if (!(await confirm(`Drop ${what} of ${f.name} for good?`, f.yes))) return cancelled();
        const r = await gater.api.skipParked(config.store, f.name, positions);
        createOutput(config.json).result(
          { store: config.store, name: f.name, ...r },
          () => `⏭️  skipped ${plural(r.skipped, 'parked event')} of ${f.name}`,
        );
        return 0;
      }),
  );

  act(
    named('reset', 'move the checkpoint to a position: backwards re-delivers, forwards skips (asks first)', [
      'subscriptions reset --name audit --to 0            # replay everything',
      'subscriptions reset --name audit --to 1500 --yes --json',
    ])
      .requiredOption('--to <position>', 'new checkpoint: stream version for $<stream>, global position otherwise')
      .option('--yes', 'do not ask for confirmation'),
    (config, f) =>
      withGater(config, async (gater) => {
        const to = intOpt(f.to, '--to', { min: 0 })!;
        if (!(await confirm(`Reset subscription ${f.name} to ${to}?`, f.yes))) return cancelled();
        const r = await gater.api.resetSubscription(config.store, f.name, to);
        createOutput(config.json).result(
          { store: config.store, name: f.name, to, ...r },
          () => `⏮️  ${f.name} reset to ${to}`,
        );
        return 0;
      }),
  );

  act(
    named('delete', 'stop a persistent subscription everywhere and delete it with its parked events (asks first)', [
      'subscriptions delete --name audit',
      'subscriptions delete --name audit --yes --json',
    ]).option('--yes', 'do not ask for confirmation'),
    (config, f) =>
      withGater(config, async (gater) => {
        if (!(await confirm(`Delete subscription ${f.name} and its parked events?`, f.yes))) return cancelled();
        const r = await gater.api.deleteSubscription(config.store, f.name);
        createOutput(config.json).result(
          { store: config.store, name: f.name, ...r },
          () => `🗑️  deleted subscription ${f.name}`,
        );
        return 0;
      }),
  );
}

function cancelled(): number {
  throw new UsageError('cancelled: nothing was changed');
}

export function renderParked(parked: ParkedEvent[]): string {
  return renderTable(
    ['Position', 'Stream', 'Version', 'Retries', 'Reason', 'Parked at', 'Event id'],
    parked.map((p) => [
      String(p.position),
      p.eventStreamId,
      String(p.eventNumber),
      String(p.retries ?? 0),
      p.reason,
      p.parkedAt || '?',
      p.eventId,
    ]),
  );
}
