import type { Command } from 'commander';
import { renderTable, type SubscriptionInfo } from '../../core/index.js';
import { createOutput } from '../output.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';
import { registerSubscriptionControl } from './subscriptionControl.js';

export function registerSubscriptions(program: Command, run: Runner): void {
  const cmd = program
    .command('subscriptions')
    .description('list the subscriptions of the store: checkpoint, in-flight, parked and lag')
    .option('--name <name>', 'only the subscription(s) with this name')
    .addHelpText(
      'after',
      examples(
        'subscriptions',
        'subscriptions --name audit --json   # {"store":"reg_gh","subscriptions":[{...,"checkpoint":10}]}',
      ),
    );
  registerSubscriptionControl(cmd, run);
  cmd.action(
    run((config) =>
      withGater(config, async (gater) => {
        const { name } = cmd.opts<{ name?: string }>();
        const all = await gater.api.getSubscriptions(config.store);
        const subscriptions = name === undefined ? all : all.filter((s) => s.name === name);
        createOutput(config.json).listResult(
          { store: config.store, subscriptions },
          subscriptions.length,
          () => renderSubscriptions(subscriptions),
          name === undefined ? '⚠️  No active subscriptions' : `⚠️  No subscription named ${name}`,
        );
        return 0;
      }),
    ),
  );
}

export function renderSubscriptions(subs: SubscriptionInfo[]): string {
  if (subs.length === 0) return '⚠️  No active subscriptions';
  const rows = subs.map((s) => [
    s.name,
    s.type,
    typeof s.selector === 'string' ? s.selector : JSON.stringify(s.selector),
    s.active ? '🟢 active' : s.persistent ? '⚪ stored' : '🔴 idle',
    String(s.checkpoint),
    String(s.inFlight),
    String(s.parked),
    s.lagging ? `${s.lag} (lagging)` : String(s.lag),
  ]);
  return renderTable(['Name', 'Type', 'Selector', 'State', 'Checkpoint', 'InFlight', 'Parked', 'Lag'], rows);
}
