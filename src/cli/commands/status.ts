import type { Command } from 'commander';
import {
  beamText,
  callsText,
  collectStatus,
  countersText,
  foreignText,
  trustText,
  type Gater,
  type StatusReport,
} from '../../core/index.js';
import { parsePositiveInt, type Config } from '../config.js';
import { EXIT } from '../exitCodes.js';
import { createOutput } from '../output.js';
import type { Runner } from '../runner.js';
import { openGater } from '../session.js';

export function registerStatus(program: Command, run: Runner): void {
  const cmd = program
    .command('status')
    .description('print the mode, the store, its nodes and workers')
    .option('--wait <ms>', 'in cluster mode, wait this long for discovery first (default 2500)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ ex-esdb-console status --json\n  $ ex-esdb-console status --cluster --gossip-if 127.0.0.1 --wait 3000 --json\n\nExits 3 when no node serving the store is reachable.',
    );
  cmd.action(
    run(async (config) => {
      const opts = cmd.opts<{ wait?: string }>();
      const waitMs = opts.wait === undefined ? 2500 : parsePositiveInt(opts.wait, '--wait');
      const gater = await openGater(config);
      try {
        if (gater.mode === 'cluster' || config.beam === 'auto') await settle(gater, config, waitMs);
        const status = await collectStatus(gater);
        // Which saved context chose this target, so a script or a person sees where the command went.
        const shown = config.context === undefined ? status : { context: config.context, ...status };
        createOutput(config.json).result(shown, () =>
          config.context === undefined ? renderStatus(status) : `Context: ${config.context}\n${renderStatus(status)}`,
        );
        // A script asking "is the cluster there?" gets exit 3 when no node serves the store.
        if (status.workers === 0) {
          process.stderr.write(`❌ no gateway worker for store ${status.store}: no node hosting it is reachable\n`);
          return EXIT.unavailable;
        }
        return 0;
      } finally {
        await gater.stop();
      }
    }),
  );
}

/** The node's non-zero security counters, e.g. ` refused: rejectedAuth=3 rateLimited=40 gossip_replayed=12`. */

/** "linked" (name proved by the cookie handshake), "heard only" (gossip, not routed to), or "heard, linked". */

export function renderStatus(s: StatusReport): string {
  const lines = [
    `🔗 Cluster Status`,
    `Mode: ${s.mode}   Store: ${s.store}${s.storage ? `   Storage: ${s.storage}` : ''}   PubSub: ${s.pubSub}`,
    `Streams: ${s.streams ?? '?'}   Active gateway workers for ${s.store}: ${s.workers}`,
    `Nodes (${s.nodes.length}):`,
    ...s.nodes.map(
      (n) =>
        `  • ${n.name} ${n.state}${n.heartbeatAgeMs === null ? '' : ` (heartbeat ${n.heartbeatAgeMs} ms ago)`} ${trustText(n)} ${n.address} stores=[${n.stores.join(', ')}] workers=${n.workers}${callsText(n.calls)}${beamText(n)}${countersText(n.counters)}`,
    ),
  ];
  for (const st of s.stores) {
    if (st.groups.length === 0) continue;
    lines.push(
      `Storage of ${st.store}${st.split ? ` (⚠️  split over ${st.groups.length} storages: reads would differ)` : ''}:`,
    );
    for (const g of st.groups)
      lines.push(
        `  ${g.active ? '▶' : '•'} ${g.kind} ${g.id}${g.active ? ' (active)' : ''} nodes=[${g.nodes.join(', ')}]`,
      );
  }
  if (s.foreignNodes.length) lines.push(foreignText(s.foreignNodes));
  const bad = Object.entries(s.badPackets);
  if (bad.length) lines.push(`Bad packets (wrong secret?): ${bad.map(([a, n]) => `${a}=${n}`).join(', ')}`);
  if (s.unauthorized.length)
    lines.push(`Refused (wrong cookie?): ${s.unauthorized.map((u) => `${u.node} ${u.address}`).join(', ')}`);
  return lines.join('\n');
}

/**
 * Gives discovery time to find nodes. With only static seeds it ends as soon as every seed is connected; with
 * gossip it waits the whole time, since more nodes may still announce themselves.
 */
export async function settle(gater: Gater, config: Config, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  const seedsOnly = !config.cluster && config.connect.length > 0;
  while (Date.now() < deadline) {
    if (
      seedsOnly &&
      gater.registry.links().length >= config.connect.length &&
      gater.api.gatewayWorkersForStore(gater.store).length > 0
    )
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** ` calls=N p50=… p99=…` for a node this gateway has called, else nothing. */
