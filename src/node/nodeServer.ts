import { startRpcServer, type RpcServer, type RpcSession, type TlsOptions } from '../core/transport/index.js';
import type { EventRecord } from '../core/types.js';
import type { LogFn, StoreNode } from './storeNode.js';
import type { NodeSession } from './worker.js';

export const DEFAULT_PUSH_HIGH_WATER_BYTES = 1024 * 1024;

export interface NodeServerOptions {
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** TCP port; 0 = OS-assigned and advertised by gossip (default 0). */
  port?: number;
  cookie: string;
  maxFrameBytes?: number;
  handshakeTimeoutMs?: number;
  frameTimeoutMs?: number;
  /** Extra counters for `$counters` (the node's gossip drops). */
  counters?: () => Record<string, number>;
  /**
   * Bytes queued for a gateway above which its subscriptions stop pushing and are reported lagging until the
   * connection drains (default 1 MiB); the rest is then read from storage, so memory per slow gateway stays
   * near this bound.
   */
  pushHighWaterBytes?: number;
  /** Mutual TLS: gateways must present a certificate signed by `ca` (default: plain TCP). */
  tls?: TlsOptions;
  log?: LogFn;
}

/** Serves a StoreNode over the authenticated TCP transport; announces store/worker changes to every gateway. */
export async function serveNode(node: StoreNode, options: NodeServerOptions): Promise<RpcServer> {
  const log = options.log ?? (() => {});
  const highWater = options.pushHighWaterBytes ?? DEFAULT_PUSH_HIGH_WATER_BYTES;
  // One NodeSession per connection, made at its first request, rather than a fresh object and six closures per request.
  const nodeSessions = new WeakMap<RpcSession, NodeSession>();
  const nodeSession = (session: RpcSession): NodeSession => {
    let ns = nodeSessions.get(session);
    if (!ns) {
      ns = {
        id: session.id,
        ownsArgs: true,
        push: (sub: string, events: EventRecord[]) => {
          try {
            session.push(sub, events);
          } catch (e) {
            log(
              'error',
              `[GatewayWorker] push to ${session.remoteNode} failed: ${e instanceof Error ? e.message : String(e)}`,
            );
          }
        },
        onClose: (cb) => session.onClose(cb),
        flow: {
          congested: () => session.queuedBytes > highWater,
          queuedBytes: () => session.queuedBytes,
          onDrain: (cb) => session.onDrain(cb),
        },
      };
      nodeSessions.set(session, ns);
    }
    return ns;
  };
  const server = await startRpcServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    nodeName: node.name,
    cookie: options.cookie,
    maxFrameBytes: options.maxFrameBytes,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    frameTimeoutMs: options.frameTimeoutMs,
    counters: options.counters,
    tls: options.tls,
    welcome: () => {
      const a = node.announcement();
      return { stores: a.stores, workers: a.workers, storages: a.storages };
    },
    handler: (session, op, args) => node.handle(nodeSession(session), op, args),
    log: (level, msg) => log(level, `[Transport] ${msg}`),
  });
  node.onChange(() => {
    const a = node.announcement();
    server.broadcastUpdate({ stores: a.stores, workers: a.workers, storages: a.storages });
  });
  return server;
}
