import { GaterApi, type GaterApiOptions } from '../../src/core/api/gaterApi.js';
import { PubSub } from '../../src/core/api/pubsub.js';
import { WorkerRegistry } from '../../src/core/registry/workerRegistry.js';
import { connectTcpLink } from '../../src/core/transport/tcpLink.js';
import { connectRpc, type RpcConnection } from '../../src/core/transport/index.js';
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

const TEST_COOKIE = 'test-cookie';

/**
 * Starts a store node and a GaterApi linked to it: in process (embedded mode) or over the authenticated TCP
 * transport on loopback. `maxFrameBytes` applies to both ends of the TCP connection.
 */
export async function startTestGateway(
  path: GatewayPath,
  options: { storage?: string | StorageAdapter; maxFrameBytes?: number; api?: GaterApiOptions } = {},
): Promise<TestGateway> {
  const cookie = TEST_COOKIE;
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

/**
 * A second, raw connection to a TCP test gateway's node and the id of one of its workers: requests go in exactly as
 * written, past every check the gateway API makes, so a test sees what the node itself accepts.
 */
export async function rawNodeConnection(gw: TestGateway): Promise<{ conn: RpcConnection; worker: string }> {
  const conn = await connectRpc({
    host: '127.0.0.1',
    port: gw.node.server!.port,
    nodeName: 'raw@127.0.0.1',
    cookie: TEST_COOKIE,
  });
  return { conn, worker: gw.node.node.announcement().workers[0]!.id };
}
