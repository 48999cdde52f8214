import { hostname } from 'node:os';
import { startGossipDiscovery, type GossipDiscovery } from '../core/cluster/index.js';
import type { LogFn } from '../core/log.js';
import { GOSSIP_DEFAULTS } from '../core/gossip/index.js';
import type { RpcServer, TlsOptions } from '../core/transport/index.js';
import { serveNode } from './nodeServer.js';
import { createStoreNode, type StoreNode } from './storeNode.js';
import type { StorageAdapter } from './storage/storageAdapter.js';

export interface NodeOptions {
  /** `name@host` (default `node_<random>@<hostname>`). */
  name?: string;
  /** Stores to host (default `['reg_gh']`). */
  stores?: string[];
  /** `memory` (default), `sqlite:<file>`, `postgres://...`, or an adapter. */
  storage?: string | StorageAdapter;
  /** Gateway workers per store (default 1). */
  poolSize?: number;
  log?: LogFn;
  /** Serve gateways over TCP. Without it the node is reachable in-process only. */
  listen?: {
    /** Default 127.0.0.1. */
    host?: string;
    /** Default 0: OS-assigned, advertised by gossip. */
    port?: number;
    /** Shared cookie for the handshake (required to listen). */
    cookie: string;
    handshakeTimeoutMs?: number;
    /** Largest frame both ways (default 16 MiB). */
    maxFrameBytes?: number;
    /** A started frame must complete within this many ms (default 30000). */
    frameTimeoutMs?: number;
    /** Mutual TLS: PEM certificate and key of this node, and the CA gateways' certificates must be signed by. */
    tls?: TlsOptions;
  };
  /** Announce the node by UDP gossip (needs `listen`). */
  gossip?: {
    secret: string;
    gossipPort?: number;
    multicastAddr?: string;
    /** Tests and local trials: `127.0.0.1`. Default 0.0.0.0. */
    interfaceAddr?: string;
    heartbeatMs?: number;
    /** Host gateways should dial (default: the listen host, or this machine's name when listening on 0.0.0.0). */
    advertiseHost?: string;
  };
}

/** A started store node. */
export interface RunningNode {
  readonly name: string;
  /** `host:port` when listening, `in-process` otherwise. */
  readonly address: string;
  readonly node: StoreNode;
  readonly server?: RpcServer;
  readonly gossip?: GossipDiscovery;
  stop(): Promise<void>;
}

/** Starts a store node: hosts its stores, optionally serves TCP and announces itself by gossip. */
export async function startNode(options: NodeOptions = {}): Promise<RunningNode> {
  const log = options.log ?? (() => {});
  const node = await createStoreNode(options);
  let server: RpcServer | undefined;
  let gossip: GossipDiscovery | undefined;
  try {
    if (options.listen) {
      // The gossip counters exist only once gossip starts, after the server: read through the variable.
      const counters = (): Record<string, number> => gossipCounters(gossip);
      server = await serveNode(node, { ...options.listen, log, counters });
    }
    if (options.gossip && server) {
      const g = options.gossip;
      const listenHost = options.listen?.host ?? '127.0.0.1';
      const advertise = g.advertiseHost ?? (listenHost === '0.0.0.0' ? hostname() : listenHost);
      gossip = await startGossipDiscovery({
        nodeName: node.name,
        role: 'node',
        secret: g.secret,
        gossipPort: g.gossipPort ?? GOSSIP_DEFAULTS.gossipPort,
        multicastAddr: g.multicastAddr ?? GOSSIP_DEFAULTS.multicastAddr,
        interfaceAddr: g.interfaceAddr ?? GOSSIP_DEFAULTS.interfaceAddr,
        heartbeatMs: g.heartbeatMs ?? GOSSIP_DEFAULTS.heartbeatMs,
        port: server.port,
        host: advertise,
        stores: node.announcement().stores,
        storages: node.announcement().storages,
        log,
      });
      const gs = gossip;
      node.onChange(() => {
        const a = node.announcement();
        gs.update({ stores: a.stores, storages: a.storages });
      });
    }
  } catch (e) {
    await gossip?.stop();
    await server?.close();
    await node.stop();
    throw e;
  }
  const address = server ? `${options.listen?.host ?? '127.0.0.1'}:${server.port}` : 'in-process';
  let stopping: Promise<void> | undefined;
  return {
    name: node.name,
    address,
    node,
    server,
    gossip,
    stop() {
      stopping ??= (async () => {
        await gossip?.stop();
        await server?.close();
        await node.stop();
      })();
      return stopping;
    },
  };
}

/** The node's gossip drops as `$counters` reports them: the total and one entry per reason. */
function gossipCounters(gossip: GossipDiscovery | undefined): Record<string, number> {
  if (!gossip) return {};
  const snap = gossip.service.membership.snapshot();
  const out: Record<string, number> = { gossipBadPackets: snap.badPacketsTotal };
  for (const [reason, n] of Object.entries(snap.badPacketsByReason)) out[`gossip_${reason}`] = n ?? 0;
  return out;
}
