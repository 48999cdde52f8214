import type { Command } from 'commander';
import type { Gater } from '../../gater.js';
import { maskStorage, parsePositiveInt, type Config } from '../config.js';
import { EXIT } from '../exitCodes.js';
import { createOutput } from '../output.js';
import type { Runner } from '../program.js';
import { openGater } from '../session.js';

/** What `status --json` prints (and the console's banner reads). */
export async function collectStatus(gater: Gater, config: Config) {
  const cluster = gater.cluster.status();
  // Without a worker the call would only wait for no_workers; report "unknown" at once instead.
  const streams =
    gater.api.gatewayWorkersForStore(gater.store).length === 0
      ? null
      : await gater.api.getStreams(gater.store).then(
          (s) => s.length,
          () => null,
        );
  const routed = Object.fromEntries(gater.registry.routed);
  // Every store the linked nodes host, with its storage groups (DESIGN §8): more than one group is a split store.
  const storeNames = [...new Set([gater.store, ...gater.registry.stores().map((s) => s.store)])];
  const stores = storeNames.map((store) => {
    const groups = gater.registry.groups(store);
    return { store, split: groups.length > 1, groups };
  });
  // This gateway's own HDR histograms: the latency of the calls it routed to each node since it started.
  const calls = new Map(gater.api.callStats.byNode().map((c) => [c.node, c]));
  // Each linked node's own security counters (refused handshakes, tampered frames, gossip drops), over its link.
  const counters = new Map(
    await Promise.all(
      gater.registry.links().map(async (l) => {
        const fetch = (l as { counters?: (ms: number) => Promise<Record<string, number>> }).counters;
        const value = fetch ? await fetch.call(l, 1000).catch(() => null) : null;
        return [l.node, value] as const;
      }),
    ),
  );
  return {
    mode: gater.mode,
    store: gater.store,
    storage: gater.mode === 'embedded' ? maskStorage(config.storage) : undefined,
    pubSub: config.pubSub,
    nodes: cluster.nodes.map((n) => ({
      name: n.name,
      state: n.state,
      heartbeatAgeMs: n.heartbeatAgeMs,
      address: n.address,
      stores: n.stores,
      workers: n.workers,
      role: n.role,
      // Gossip is a hint; only a linked node (its name proved by the cookie handshake) is routed to.
      heard: n.heard ?? false,
      linked: n.linked ?? n.connected,
      counters: counters.get(n.name) ?? null,
      calls: {
        count: calls.get(n.name)?.calls ?? 0,
        errors: calls.get(n.name)?.errors ?? 0,
        p50Ms: calls.get(n.name)?.latency.p50 ?? 0,
        p99Ms: calls.get(n.name)?.latency.p99 ?? 0,
      },
      ...(n.beam ? { beam: n.beam } : {}),
    })),
    workers: gater.api.gatewayWorkersForStore(gater.store).length,
    workersByNode: gater.api.gatewayWorkers().map((w) => ({ ...w, routed: routed[w.id] ?? 0 })),
    streams,
    stores,
    foreignNodes: cluster.foreignNodes,
    badPackets: cluster.badPackets,
    unauthorized: cluster.unauthorized,
  };
}

export type StatusReport = Awaited<ReturnType<typeof collectStatus>>;

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
        const status = await collectStatus(gater, config);
        createOutput(config.json).result(status, () => renderStatus(status));
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
export function countersText(c: Record<string, number> | null): string {
  if (!c) return '';
  const shown = Object.entries(c).filter(([k, v]) => v > 0 && k !== 'accepted');
  return shown.length === 0 ? '' : ` counters: ${shown.map(([k, v]) => `${k}=${v}`).join(' ')}`;
}

/** "linked" (name proved by the cookie handshake), "heard only" (gossip, not routed to), or "heard, linked". */
export function trustText(n: { heard: boolean; linked: boolean }): string {
  if (n.linked) return n.heard ? '[heard, linked]' : '[linked]';
  return n.heard ? '[heard only: not routed]' : '[not linked]';
}

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

/** BEAM nodes: OTP release, PubSub membership and call latency (rpc round trips through the node's rex). */
export function beamText(n: StatusReport['nodes'][number]): string {
  const b = 'beam' in n ? n.beam : undefined;
  if (!b) return '';
  const ms = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)} ms`);
  return ` OTP ${b.otpRelease} pubsub=${b.pubsubJoined ? 'joined' : 'not joined'} rpc=${b.calls} last=${ms(b.lastCallMs)} avg=${ms(b.avgCallMs)}`;
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
/** Foreign BEAM nodes heard in gossip, offered as bridge targets. */
export function foreignText(nodes: { name: string }[]): string {
  return `Foreign BEAM nodes: ${nodes.map((f) => f.name).join(', ')} (link to them with --beam ${nodes[0]?.name ?? 'name@host'} or --beam auto)`;
}

export function callsText(c: { count: number; errors: number; p50Ms: number; p99Ms: number }): string {
  if (c.count === 0) return '';
  return ` calls=${c.count}${c.errors > 0 ? ` (${c.errors} failed)` : ''} p50=${c.p50Ms.toFixed(3)}ms p99=${c.p99Ms.toFixed(3)}ms`;
}
