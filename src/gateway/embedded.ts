import { hostname } from 'node:os';
import { ClusterMonitor, GaterApi, PubSub, WorkerRegistry, describeStorage, type Gater } from '../core/index.js';
import { InProcessLink } from '../node/inProcessLink.js';
import { createStoreNode, type StoreNode } from '../node/storeNode.js';
import type { GatewayOptions } from './options.js';

/** An embedded gateway: the core's Gater plus the in-process node it owns. */
export interface EmbeddedGater extends Gater {
  readonly mode: 'embedded';
  readonly node: StoreNode;
}

/**
 * The embedded gateway: an in-process store node hosting the store on the given storage, linked through the same
 * request/response interface as TCP; no sockets are opened.
 */
export async function startEmbeddedGater(options: GatewayOptions = {}): Promise<EmbeddedGater> {
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
  const cluster = new ClusterMonitor(registry, log);
  cluster.emit({ type: 'node_up', node: node.name, address: link.address, stores: node.announcement().stores });
  let stopped = false;
  return {
    mode: 'embedded',
    store,
    storage:
      typeof options.storage === 'object' ? options.storage.target : describeStorage(options.storage ?? 'memory'),
    storageKind: node.storage.kind,
    pubSub: options.pubSub ?? 'ex_esdb_pubsub',
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
