import type { ClusterMonitor, ClusterStatus, MemberView } from './clusterMonitor.js';
import { startGossip, type GossipService, type NodeRole } from '../gossip/index.js';
import type { LogFn } from '../log.js';
import type { StorageIdentity } from '../wire/ops.js';

export interface GossipDiscoveryOptions {
  nodeName: string;
  role: NodeRole;
  secret: string;
  gossipPort: number;
  multicastAddr: string;
  interfaceAddr: string;
  heartbeatMs: number;
  /** Our TCP port (0 for a gateway, which listens nowhere). */
  port: number;
  /** Host peers should dial (default: the gossip interface, or 127.0.0.1 when that is 0.0.0.0). */
  host?: string;
  stores: string[];
  storages?: Record<string, StorageIdentity>;
  log: LogFn;
  monitor?: ClusterMonitor;
  /** Hear heartbeats without sending any (see GossipOptions.listenOnly). */
  listenOnly?: boolean;
  /** A store node was heard (up or still alive): make sure we are connected to it. */
  onNode?: (host: string, port: number, node: string) => void;
}

export interface GossipDiscovery {
  readonly service: GossipService;
  status(): Pick<ClusterStatus, 'nodes' | 'foreignNodes' | 'badPackets'>;
  markDown(node: string, reason: string): void;
  /** Tells gossip an authenticated link proved (or no longer proves) `node`: see Membership.setLinked. */
  setLinked(node: string, linked: boolean): void;
  update(change: { stores?: string[]; storages?: Record<string, StorageIdentity>; port?: number }): void;
  stop(): Promise<void>;
}

/**
 * Gossip wired to the cluster monitor: membership events become ClusterMonitor events and log lines with the
 * reference's themes (🔗 ClusterMonitor), and every heard store node is handed to `onNode` for a TCP link.
 */
export async function startGossipDiscovery(o: GossipDiscoveryOptions): Promise<GossipDiscovery> {
  const host = o.host ?? (o.interfaceAddr === '0.0.0.0' ? '127.0.0.1' : o.interfaceAddr);
  const service = await startGossip({
    nodeName: o.nodeName,
    role: o.role,
    host,
    port: o.port,
    stores: o.stores,
    storages: o.storages,
    secret: o.secret,
    gossipPort: o.gossipPort,
    multicastAddr: o.multicastAddr,
    interfaceAddr: o.interfaceAddr,
    heartbeatMs: o.heartbeatMs,
    listenOnly: o.listenOnly,
    log: (level, msg) => o.log(level, `[Gossip] ${msg}`),
  });
  const m = service.membership;
  // Names a link proved; applied again when gossip (re)admits the member, since links may come first.
  const linked = new Set<string>();
  const unsub = m.subscribe((e) => {
    switch (e.type) {
      case 'node_up':
        if (linked.has(e.node)) m.setLinked(e.node, true);
        o.log(
          'info',
          `🔗 [ClusterMonitor] 🟢 ${e.restarted ? 'Restarted' : 'Discovered'} ${e.member.role} ${e.node} at ${e.member.host}:${e.member.port}`,
        );
        o.monitor?.emit({
          type: 'node_up',
          node: e.node,
          address: `${e.member.host}:${e.member.port}`,
          stores: [...e.member.stores],
        });
        if (e.member.role === 'node' && e.member.port > 0) o.onNode?.(e.member.host, e.member.port, e.node);
        break;
      case 'node_suspect':
        o.log('warn', `🔗 [ClusterMonitor] 🟠 ${e.node} is suspect (no heartbeat for ${e.member.heartbeatAgeMs} ms)`);
        o.monitor?.emit({ type: 'node_suspect', node: e.node, heartbeatAgeMs: e.member.heartbeatAgeMs });
        break;
      case 'node_down':
        o.log('warn', `🔗 [ClusterMonitor] 🔴 ${e.node} is down (${e.reason})`);
        o.monitor?.emit({ type: 'node_down', node: e.node, reason: e.reason });
        break;
      case 'foreign_node':
        o.log('info', `🔗 [ClusterMonitor] foreign BEAM node ${e.node} at ${e.address} (shown, not routed to)`);
        o.monitor?.emit({ type: 'foreign_node', node: e.node, address: e.address });
        break;
      case 'bad_packet':
        o.log(
          'debug',
          `🔗 [ClusterMonitor] dropped gossip packet from ${e.address} (${e.reason}; wrong secret?) total ${e.count}`,
        );
        o.monitor?.emit({ type: 'bad_packet', from: e.address, count: e.count });
        break;
    }
  });
  // Alive members we lost the TCP link to (e.g. a refused connect) get retried on every heartbeat round.
  const retry = setInterval(() => {
    for (const mem of m.snapshot().members) {
      if (mem.role === 'node' && mem.state === 'alive' && mem.port > 0) o.onNode?.(mem.host, mem.port, mem.node);
    }
  }, o.heartbeatMs);
  retry.unref();

  return {
    service,
    status() {
      const snap = m.snapshot();
      const nodes: MemberView[] = snap.members.map((mem) => ({
        name: mem.node,
        role: mem.role,
        state: mem.state,
        heartbeatAgeMs: Math.round(mem.heartbeatAgeMs),
        address: `${mem.host}:${mem.port}`,
        stores: [...mem.stores],
        workers: 0,
        connected: false,
        heard: true,
        linked: mem.linked,
      }));
      return {
        nodes,
        foreignNodes: snap.foreign.map((f) => ({
          name: f.node,
          address: f.address,
          heartbeatAgeMs: Math.round(f.lastSeenAgeMs),
        })),
        badPackets: Object.fromEntries(snap.badSources.map((b) => [b.address, b.count])),
      };
    },
    markDown(node, reason) {
      m.markDown(node, reason);
    },
    setLinked(node, isLinked) {
      if (isLinked) linked.add(node);
      else linked.delete(node);
      m.setLinked(node, isLinked);
    },
    update(change) {
      service.update(change);
    },
    async stop() {
      clearInterval(retry);
      unsub();
      await service.stop();
    },
  };
}
