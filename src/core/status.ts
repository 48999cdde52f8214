import type { Gater } from './gater.js';

/** What `status --json` prints and the console's cluster screen shows. */
export async function collectStatus(gater: Gater) {
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
  // This gateway's own HDR histograms: the latency of the calls it routed to each node since it started.
  const calls = new Map(gater.api.callStats.byNode().map((c) => [c.node, c]));
  return {
    mode: gater.mode,
    store: gater.store,
    storage: gater.storage,
    pubSub: gater.pubSub,
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

/** A node's call figures for one status line (empty when this gateway has not called it yet). */
export function callsText(c: { count: number; errors: number; p50Ms: number; p99Ms: number }): string {
  if (c.count === 0) return '';
  return ` calls=${c.count}${c.errors > 0 ? ` (${c.errors} failed)` : ''} p50=${c.p50Ms.toFixed(3)}ms p99=${c.p99Ms.toFixed(3)}ms`;
}

/** BEAM nodes: OTP release, PubSub membership and call latency (rpc round trips through the node's rex). */
export function beamText(n: StatusReport['nodes'][number]): string {
  const b = 'beam' in n ? n.beam : undefined;
  if (!b) return '';
  const ms = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)} ms`);
  return ` OTP ${b.otpRelease} pubsub=${b.pubsubJoined ? 'joined' : 'not joined'} rpc=${b.calls} last=${ms(b.lastCallMs)} avg=${ms(b.avgCallMs)}`;
}

/** Foreign BEAM nodes heard in gossip, offered as bridge targets. */
export function foreignText(nodes: { name: string }[]): string {
  return `Foreign BEAM nodes: ${nodes.map((f) => f.name).join(', ')} (link to them with --beam ${nodes[0]?.name ?? 'name@host'} or --beam auto)`;
}

export function countersText(c: Record<string, number> | null): string {
  if (!c) return '';
  const shown = Object.entries(c).filter(([k, v]) => v > 0 && k !== 'accepted');
  return shown.length === 0 ? '' : ` counters: ${shown.map(([k, v]) => `${k}=${v}`).join(' ')}`;
}

export function trustText(n: { heard: boolean; linked: boolean }): string {
  if (n.linked) return n.heard ? '[heard, linked]' : '[linked]';
  return n.heard ? '[heard only: not routed]' : '[not linked]';
}
