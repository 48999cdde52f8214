import { GaterApi, type GaterApiOptions } from '../../src/core/api/gaterApi.js';
import { PubSub } from '../../src/core/api/pubsub.js';
import { WorkerRegistry } from '../../src/core/registry/workerRegistry.js';
import { connectTcpLink } from '../../src/core/transport/tcpLink.js';
import { InProcessLink } from '../../src/node/inProcessLink.js';
import { startNode, type RunningNode } from '../../src/node/startNode.js';
import type { StorageAdapter } from '../../src/node/storage/storageAdapter.js';

/** A gateway API over one store node, reached the way a user's gateway reaches it. */
export interface TestGateway {
  api: GaterApi;
  node: RunningNode;
  stop(): Promise<void>;
}

export type GatewayPath = 'embedded' | 'tcp';

/**
 * Starts a store node and a GaterApi linked to it: in process (embedded mode) or over the authenticated TCP
 * transport on loopback. `maxFrameBytes` applies to both ends of the TCP connection.
 */
export async function startTestGateway(
  path: GatewayPath,
  options: { storage?: string | StorageAdapter; maxFrameBytes?: number; api?: GaterApiOptions } = {},
): Promise<TestGateway> {
  const cookie = 'test-cookie';
  const node = await startNode({
    storage: options.storage,
    listen: path === 'tcp' ? { cookie, maxFrameBytes: options.maxFrameBytes } : undefined,
  });
  const registry = new WorkerRegistry();
  const link =
    path === 'tcp'
      ? await connectTcpLink({
          host: '127.0.0.1',
          port: node.server!.port,
          nodeName: 'test_gateway@127.0.0.1',
          cookie,
          maxFrameBytes: options.maxFrameBytes,
        })
      : new InProcessLink(node.node);
  registry.add(link);
  const api = new GaterApi(registry, new PubSub(), { noWorkersWaitMs: 2000, ...options.api });
  return {
    api,
    node,
    async stop() {
      await api.close();
      link.close();
      await node.stop();
    },
  };
}
