import { hostname } from 'node:os';
import { GaterApi } from './core/api/gaterApi.js';
import { PubSub } from './core/api/pubsub.js';
import { ClusterMonitor } from './core/cluster/clusterMonitor.js';
import { WorkerRegistry } from './core/registry/workerRegistry.js';
import { InProcessLink } from './node/inProcessLink.js';
import { createStoreNode, type LogFn, type StoreNode } from './node/storeNode.js';
import type { StorageAdapter } from './node/storage/storageAdapter.js';

export interface GaterOptions {
  /** The store the console works on and the embedded node hosts (default `reg_gh`). */
  store?: string;
  /** Storage of the embedded node: `memory` (default), `sqlite:<file>`, `postgres://...`. */
  storage?: string | StorageAdapter;
  /** Per-call timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Wait for a worker before `no_workers` (default 5000 ms). */
  noWorkersWaitMs?: number;
  /** Workers per store on the embedded node (default 1). */
  poolSize?: number;
  log?: LogFn;
}

export interface Gater {
  readonly mode: 'embedded' | 'cluster' | 'beam';
  readonly store: string;
  readonly api: GaterApi;
  readonly cluster: ClusterMonitor;
  readonly pubsub: PubSub;
  readonly registry: WorkerRegistry;
  /** The in-process node (embedded mode only). */
  readonly node?: StoreNode;
  stop(): Promise<void>;
}

/**
 * Starts a gateway. With no options it is embedded: an in-process store node hosting `reg_gh` on memory
 * storage, linked through the same request/response interface as TCP; no sockets are opened.
 */
export async function startGater(options: GaterOptions = {}): Promise<Gater> {
  const store = options.store ?? 'reg_gh';
  const log = options.log ?? (() => {});
  const node = await createStoreNode({
    name: `embedded@${hostname()}`,
    stores: [store],
    storage: options.storage,
    poolSize: options.poolSize,
    log,
  });
  const registry = new WorkerRegistry();
  const pubsub = new PubSub((topic, e) => log('error', `[PubSub] listener on ${topic} failed: ${String(e)}`));
  const link = new InProcessLink(node);
  registry.add(link);
  const api = new GaterApi(registry, pubsub, {
    timeoutMs: options.timeoutMs,
    noWorkersWaitMs: options.noWorkersWaitMs,
    onError: (e) => log('error', `🚪 [GaterAPI] ${String(e instanceof Error ? e.message : e)}`),
    log,
  });
  const cluster = new ClusterMonitor(registry);
  cluster.emit({ type: 'node_up', node: node.name, address: link.address, stores: node.announcement().stores });
  let stopped = false;
  return {
    mode: 'embedded',
    store,
    api,
    cluster,
    pubsub,
    registry,
    node,
    async stop() {
      if (stopped) return;
      stopped = true;
      await api.close();
      link.close('gateway stopped');
      await node.stop();
    },
  };
}
