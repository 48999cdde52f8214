import { createStoreNode, type LogFn, type StoreNode } from './storeNode.js';
import type { StorageAdapter } from './storage/storageAdapter.js';

export interface NodeOptions {
  name?: string;
  stores?: string[];
  storage?: string | StorageAdapter;
  poolSize?: number;
  log?: LogFn;
}

/** A started store node: `name`, `address` (`in-process` until a transport listens), `stop()`. */
export interface RunningNode {
  readonly name: string;
  readonly address: string;
  readonly node: StoreNode;
  stop(): Promise<void>;
}

/** Starts a store node hosting its stores. (Cluster listening and gossip attach in cluster mode.) */
export async function startNode(options: NodeOptions = {}): Promise<RunningNode> {
  const node = await createStoreNode(options);
  return { name: node.name, address: 'in-process', node, stop: () => node.stop() };
}
