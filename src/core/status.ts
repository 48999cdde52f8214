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
    })),
    workers: gater.api.gatewayWorkersForStore(gater.store).length,
    workersByNode: gater.api.gatewayWorkers().map((w) => ({ ...w, routed: routed[w.id] ?? 0 })),
    streams,
    foreignNodes: cluster.foreignNodes,
    badPackets: cluster.badPackets,
    unauthorized: cluster.unauthorized,
  };
}

export type StatusReport = Awaited<ReturnType<typeof collectStatus>>;
