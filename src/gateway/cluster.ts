import { hostname } from 'node:os';
import {
  ClusterMonitor,
  GOSSIP_DEFAULTS,
  GaterApi,
  PubSub,
  WorkerRegistry,
  parseHostPort,
  toGaterError,
  type ClusterStatus,
  type Gater,
  type LogFn,
  type MemberView,
} from '../core/index.js';
import { startGossipDiscovery, type GossipDiscovery } from '../core/cluster/index.js';
import { connectTcpLink, tlsContext, type TcpLink } from '../core/transport/index.js';
import { resolveGossip, type GatewayOptions } from './options.js';
import { credentialOrGenerated } from './credentials.js';

const RETRY_MS = 1000;

interface Peer {
  address: string;
  /** Given by --connect (retried for ever) rather than found by gossip. */
  seed: boolean;
  host: string;
  port: number;
  link: TcpLink | undefined;
  connecting: boolean;
  timer: NodeJS.Timeout | undefined;
  /** Node whose link closed and that has not been reached again yet (suspect, pending down). */
  pendingDown: string | undefined;
  /**
   * The node this address proved to be while another address already holds its link (one node under two
   * addresses, or a relay in front of it): not dialled again while that link lives.
   */
  aliasOf: string | undefined;
}

/**
 * A gateway in cluster mode: finds nodes by gossip and/or static seeds, keeps an authenticated TCP link to each,
 * feeds the WorkerRegistry from handshakes and updates, and reconnects when a link drops.
 */
export async function startClusterGater(options: GatewayOptions): Promise<Gater> {
  const log: LogFn = options.log ?? (() => {});
  // Seeds are checked before anything starts, so a typo fails at once instead of being retried for ever.
  const seeds = (options.connect ?? []).map((seed) => parseHostPort(seed, 'connect'));
  // No fixed development cookie: none given means the generated one in the user-only file (the CLI's too).
  const cookie = credentialOrGenerated('cookie', { value: options.cookie, dir: options.credentialDir }, log);
  // A certificate or key that cannot work fails the start, not every dial.
  if (options.tls) tlsContext(options.tls);
  const registry = new WorkerRegistry();
  const pubsub = new PubSub((topic, e) => log('error', `[PubSub] listener on ${topic} failed: ${String(e)}`));
  const api = new GaterApi(registry, pubsub, {
    timeoutMs: options.timeoutMs,
    noWorkersWaitMs: options.noWorkersWaitMs,
    onError: (e) => log('error', `🚪 [GaterAPI] ${toGaterError(e).message}`),
    log,
  });
  const cluster = new ClusterMonitor(registry, log);
  const name = `gater_${process.pid}@${hostname()}`;
  const peers = new Map<string, Peer>();
  const unauthorized = new Map<string, { node: string; address: string; message: string }>();
  let stopped = false;

  const linkedElsewhere = (peer: Peer): boolean => {
    const other = peer.aliasOf === undefined ? undefined : registry.link(peer.aliasOf);
    return other !== undefined && !other.closed;
  };

  const connect = (peer: Peer): void => {
    if (stopped || peer.connecting || (peer.link && !peer.link.closed) || linkedElsewhere(peer)) return;
    peer.connecting = true;
    connectTcpLink({
      host: peer.host,
      port: peer.port,
      nodeName: name,
      cookie,
      tls: options.tls,
      handshakeTimeoutMs: 5000,
      connectTimeoutMs: 3000,
    })
      .then((link) => {
        peer.connecting = false;
        if (stopped) return link.close();
        const current = registry.link(link.node);
        if (current && !current.closed) {
          // Links are deduplicated by the name the node proved: keeping both would make each replace the other.
          peer.aliasOf = link.node;
          log('debug', `🔗 [ClusterMonitor] ${peer.address} is ${link.node} again (linked via ${current.address})`);
          return link.close();
        }
        peer.aliasOf = undefined;
        peer.link = link;
        peer.pendingDown = undefined;
        unauthorized.delete(peer.address);
        registry.add(link);
        discovery?.setLinked(link.node, true);
        log('info', `🔗 [ClusterMonitor] 🟢 Connected to cluster node: ${link.node} (${peer.address})`);
        cluster.emit({ type: 'node_up', node: link.node, address: peer.address, stores: link.announcement().stores });
        link.onClose((reason) => {
          if (peer.link === link) peer.link = undefined;
          if (stopped) return;
          if (!registry.link(link.node) || registry.link(link.node) === link) discovery?.setLinked(link.node, false);
          // Connection lost: suspect at once (no calls are routed there any more), down when it cannot be reached again.
          log('warn', `🔗 [ClusterMonitor] 🟠 Lost connection to cluster node: ${link.node} (${reason})`);
          cluster.emit({ type: 'node_suspect', node: link.node, heartbeatAgeMs: 0 });
          peer.pendingDown = link.node;
          connect(peer);
          // Another address of the same node may still reach it.
          for (const p of peers.values()) if (p.aliasOf === link.node) connect(p);
        });
      })
      .catch((e) => {
        peer.connecting = false;
        const err = toGaterError(e);
        if (peer.pendingDown) {
          const node = peer.pendingDown;
          peer.pendingDown = undefined;
          log('warn', `🔗 [ClusterMonitor] 🔴 Disconnected from cluster node: ${node} (${err.message})`);
          discovery?.markDown(node, 'connection_lost');
          cluster.emit({ type: 'node_down', node, reason: err.message });
        }
        if (err.code === 'unauthorized') {
          const entry = { node: peer.address, address: peer.address, message: err.message };
          if (!unauthorized.has(peer.address)) {
            log(
              'error',
              // A TLS refusal says what to check itself; the cookie hint would mislead there.
              `🔗 [ClusterMonitor] node at ${peer.address} refused us: ${err.message}${/\bTLS\b/.test(err.message) ? '' : ' (same cookie on both sides?)'}`,
            );
            cluster.emit({ type: 'unauthorized', ...entry });
          }
          unauthorized.set(peer.address, entry);
          schedule(peer, 5 * RETRY_MS);
        } else {
          log('debug', `🔗 [ClusterMonitor] cannot reach ${peer.address}: ${err.message}`);
          // A static seed is retried for ever; a gossip-found address is dropped: gossip offers it again while the
          // node is alive there, and a node restarted on another port must not leave a ghost behind.
          if (peer.seed) schedule(peer, RETRY_MS);
          else peers.delete(peer.address);
        }
      });
  };

  const schedule = (peer: Peer, ms: number): void => {
    if (stopped || peer.timer || !peers.has(peer.address)) return;
    peer.timer = setTimeout(() => {
      peer.timer = undefined;
      connect(peer);
    }, ms);
    peer.timer.unref();
  };

  const addPeer = (host: string, port: number, seed: boolean): void => {
    const address = `${host}:${port}`;
    const existing = peers.get(address);
    if (existing) {
      if (!existing.timer) connect(existing); // a pending retry (e.g. after a refusal) keeps its backoff
      return;
    }
    const peer: Peer = {
      address,
      host,
      port,
      seed,
      link: undefined,
      connecting: false,
      timer: undefined,
      pendingDown: undefined,
      aliasOf: undefined,
    };
    peers.set(address, peer);
    connect(peer);
  };

  for (const { host, port } of seeds) addPeer(host, port, true);

  let discovery: GossipDiscovery | undefined;
  if (options.gossip) {
    const g = resolveGossip(options.gossip, log, options.credentialDir);
    discovery = await startGossipDiscovery({
      nodeName: name,
      role: 'gateway',
      secret: g.secret,
      gossipPort: g.port,
      multicastAddr: g.addr,
      interfaceAddr: g.iface,
      heartbeatMs: g.heartbeatMs,
      port: 0,
      stores: [],
      log,
      monitor: cluster,
      onNode: (host, port) => addPeer(host, port, false),
    });
  }

  // The first choice of storage group per store waits for the first round of connections (every seed answered or
  // refused; with gossip, one heartbeat round heard and dialled), so it sees every group and gateways started
  // alike route alike (DESIGN §8). Bounded: a silent seed does not hold calls past its connect timeout.
  const listenFor = options.gossip ? (options.gossip.heartbeatMs ?? GOSSIP_DEFAULTS.heartbeatMs) * 1.25 : 0;
  const firstRound = (async () => {
    const start = Date.now();
    while (Date.now() - start < listenFor + 3500) {
      if (stopped) return;
      if (Date.now() - start >= listenFor && ![...peers.values()].some((p) => p.connecting)) return;
      await new Promise((r) => setTimeout(r, 25).unref());
    }
  })();
  registry.holdChoice(firstRound);

  cluster.setSource({
    status(): ClusterStatus {
      const gossip = discovery?.status();
      const byName = new Map<string, MemberView>();
      for (const m of gossip?.nodes ?? []) byName.set(m.name, m);
      for (const link of registry.links()) {
        const a = link.announcement();
        const g = byName.get(link.node);
        byName.set(link.node, {
          name: link.node,
          role: 'node',
          state: g?.state ?? 'alive',
          heartbeatAgeMs: g?.heartbeatAgeMs ?? null,
          address: link.address,
          stores: a.stores,
          workers: a.workers.length,
          connected: !link.closed,
          heard: g !== undefined,
          linked: !link.closed,
        });
      }
      for (const p of peers.values()) {
        const pending = p.pendingDown ? byName.get(p.pendingDown) : undefined;
        if (pending && pending.state === 'alive')
          byName.set(pending.name, { ...pending, state: 'suspect', connected: false, linked: false });
        if (!p.seed || p.link || linkedElsewhere(p) || [...byName.values()].some((m) => m.address === p.address))
          continue;
        byName.set(p.address, {
          name: p.address,
          role: 'node',
          state: 'down',
          heartbeatAgeMs: null,
          address: p.address,
          stores: [],
          workers: 0,
          connected: false,
          heard: false,
          linked: false,
        });
      }
      return {
        nodes: [...byName.values()].filter((m) => m.role !== 'gateway'),
        foreignNodes: gossip?.foreignNodes ?? [],
        badPackets: gossip?.badPackets ?? {},
        unauthorized: [...unauthorized.values()],
      };
    },
  });

  return {
    mode: 'cluster',
    store: options.store ?? 'reg_gh',
    storage: undefined,
    pubSub: options.pubSub ?? 'ex_esdb_pubsub',
    api,
    cluster,
    pubsub,
    registry,
    async stop() {
      if (stopped) return;
      stopped = true;
      await api.close();
      await discovery?.stop();
      for (const p of peers.values()) {
        if (p.timer) clearTimeout(p.timer);
        p.link?.close();
      }
    },
  };
}
