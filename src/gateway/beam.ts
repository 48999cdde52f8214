import { hostname } from 'node:os';
import { BeamLink, BeamSubscriptions, connectDist, parseNodeName, type BeamLinkStatus } from '../core/beam/index.js';
import { startGossipDiscovery, type GossipDiscovery } from '../core/cluster/index.js';
import {
  ClusterMonitor,
  GaterApi,
  GaterError,
  PubSub,
  toGaterError,
  WorkerRegistry,
  type ClusterStatus,
  type Gater,
  type LogFn,
  type MemberView,
} from '../core/index.js';
import type { ResolvedGossip } from './options.js';

export interface BeamGaterOptions {
  /** ExESDB nodes (`name@host`), or `auto` to link to the foreign BEAM nodes gossip hears. */
  nodes: string[] | 'auto';
  /** The Erlang cookie of the cluster. */
  cookie: string;
  store: string;
  timeoutMs?: number;
  noWorkersWaitMs?: number;
  log?: LogFn;
  /** Our hidden node name (default `exesdb_console_<pid>@<short hostname>`). */
  name?: string;
  /** Tick when idle this long (default 15000 ms). */
  tickIntervalMs?: number;
  /** EPMD port (default ERL_EPMD_PORT or 4369). */
  epmdPort?: number;
  /** Gossip settings for `auto`. */
  gossip?: ResolvedGossip;
  /** Name of the local pubsub, shown by status (default `ex_esdb_pubsub`). */
  pubSub?: string;
  /** Worker pick randomness (tests pin it). */
  rng?: () => number;
}

const RETRY_MS = 1000;

interface Target {
  node: string;
  link: BeamLink | undefined;
  connecting: boolean;
  timer: NodeJS.Timeout | undefined;
  lastError: GaterError | undefined;
  /** Settles once the first attempt did. */
  first: Promise<void>;
  settleFirst: () => void;
}

/**
 * A gateway linked to an Elixir ExESDB cluster as a hidden Erlang node: one BeamLink per BEAM node (kept up,
 * relinked when lost), the same GaterApi routing and failover as for our own nodes, live events by pg.
 * @throws GaterError `unauthorized` when every configured node refused the cookie on the first attempt.
 */
export async function startBeamGater(o: BeamGaterOptions): Promise<Gater & { beamStatus(): BeamLinkStatus[] }> {
  const log = o.log ?? (() => {});
  const name = o.name ?? `exesdb_console_${process.pid}@${hostname().split('.')[0]}`;
  const timeoutMs = o.timeoutMs ?? 5000;
  const registry = new WorkerRegistry(o.rng);
  const pubsub = new PubSub((topic, e) => log('error', `[PubSub] listener on ${topic} failed: ${String(e)}`));
  const api = new GaterApi(registry, pubsub, {
    timeoutMs,
    noWorkersWaitMs: o.noWorkersWaitMs,
    onError: (e) => log('error', `🚪 [GaterAPI] ${toGaterError(e).message}`),
    log,
  });
  const cluster = new ClusterMonitor(registry, log);
  const subs = new BeamSubscriptions(log);
  const targets = new Map<string, Target>();
  let stopped = false;

  const connect = (t: Target): void => {
    if (stopped || t.connecting || (t.link && !t.link.closed)) return;
    t.connecting = true;
    connectDist({
      node: t.node,
      name,
      cookie: o.cookie,
      timeoutMs,
      tickIntervalMs: o.tickIntervalMs,
      epmdPort: o.epmdPort,
    })
      .then(async (conn) => {
        const link = new BeamLink(conn, subs, log);
        link.onClose(() => subs.dropLink(link));
        await link.init(timeoutMs);
        return link;
      })
      .then((link) => {
        t.connecting = false;
        t.settleFirst();
        if (stopped) return link.close();
        t.link = link;
        t.lastError = undefined;
        registry.add(link);
        const st = link.status();
        log(
          'info',
          `🔗 [ClusterMonitor] 🟢 Linked to BEAM node ${t.node} (OTP ${st.otpRelease}, stores ${st.stores.join(', ') || 'none yet'})`,
        );
        cluster.emit({ type: 'node_up', node: t.node, address: link.address, stores: st.stores });
        link.onClose((reason) => {
          if (t.link === link) t.link = undefined;
          if (stopped) return;
          log('warn', `🔗 [ClusterMonitor] 🔴 Lost BEAM node ${t.node}: ${reason}`);
          cluster.emit({ type: 'node_down', node: t.node, reason });
          schedule(t, RETRY_MS);
        });
      })
      .catch((e: unknown) => {
        t.connecting = false;
        const err = toGaterError(e);
        const first = t.lastError === undefined || t.lastError.message !== err.message;
        t.lastError = err;
        t.settleFirst();
        if (err.code === 'unauthorized') {
          if (first) {
            log('error', `🔗 [ClusterMonitor] BEAM node ${t.node} refused us: ${err.message}`);
            cluster.emit({ type: 'unauthorized', node: t.node, address: `beam:${t.node}`, message: err.message });
          }
          schedule(t, 5 * RETRY_MS);
        } else {
          if (first) log('warn', `🔗 [ClusterMonitor] cannot link to BEAM node ${t.node}: ${err.message}`);
          schedule(t, RETRY_MS);
        }
      });
  };

  const schedule = (t: Target, ms: number): void => {
    if (stopped || t.timer) return;
    t.timer = setTimeout(() => {
      t.timer = undefined;
      connect(t);
    }, ms);
    t.timer.unref();
  };

  const addTarget = (node: string): Target => {
    const existing = targets.get(node);
    if (existing) return existing;
    parseNodeName(node, '--beam node');
    let settleFirst = (): void => {};
    const first = new Promise<void>((r) => (settleFirst = r));
    const t: Target = {
      node,
      link: undefined,
      connecting: false,
      timer: undefined,
      lastError: undefined,
      first,
      settleFirst,
    };
    targets.set(node, t);
    connect(t);
    return t;
  };

  let discovery: GossipDiscovery | undefined;
  if (o.nodes === 'auto') {
    if (!o.gossip) throw new GaterError('invalid_argument', '--beam auto needs gossip: give --secret (or --cluster)');
    // Foreign (BEAM) nodes heard in libcluster heartbeats become link targets. We only listen: the cluster's
    // libcluster connects to every name it hears (a visible connection to us, which we never accept), and we are
    // no member of it but a hidden client (BEAM_BRIDGE.md §4 item 6).
    cluster.on((e) => {
      if (e.type === 'foreign_node') addTarget(e.node);
    });
    discovery = await startGossipDiscovery({
      nodeName: `gater_${process.pid}@${hostname()}`,
      role: 'gateway',
      secret: o.gossip.secret,
      gossipPort: o.gossip.port,
      multicastAddr: o.gossip.addr,
      interfaceAddr: o.gossip.iface,
      heartbeatMs: o.gossip.heartbeatMs,
      port: 0,
      stores: [],
      listenOnly: true,
      log,
      monitor: cluster,
    });
  } else {
    const initial = o.nodes.map(addTarget);
    await Promise.all(initial.map((t) => t.first));
    // A wrong cookie everywhere is an answer, not something to wait out: fail at once.
    if (initial.length > 0 && initial.every((t) => t.lastError?.code === 'unauthorized')) {
      stopped = true;
      for (const t of initial) if (t.timer) clearTimeout(t.timer);
      throw initial[0]!.lastError!;
    }
  }

  const beamStatus = (): BeamLinkStatus[] =>
    [...targets.values()].map(
      (t) =>
        t.link?.status() ?? {
          node: t.node,
          otpRelease: '?',
          state: 'closed',
          pubsubJoined: false,
          lastCallMs: null,
          avgCallMs: null,
          calls: 0,
          stores: [],
        },
    );

  cluster.setSource({
    status(): ClusterStatus {
      const gossip = discovery?.status();
      const nodes: MemberView[] = [...targets.values()].map((t) => {
        const st = t.link?.status();
        return {
          name: t.node,
          role: 'beam',
          state: t.link && !t.link.closed ? 'alive' : 'down',
          heartbeatAgeMs: null,
          address: `beam:${t.node}`,
          stores: st?.stores ?? [],
          workers: t.link ? t.link.announcement().workers.length : 0,
          connected: !!t.link && !t.link.closed,
          beam: st
            ? {
                otpRelease: st.otpRelease,
                pubsubJoined: st.pubsubJoined,
                lastCallMs: st.lastCallMs,
                avgCallMs: st.avgCallMs,
                calls: st.calls,
              }
            : undefined,
        };
      });
      return {
        nodes,
        foreignNodes: (gossip?.foreignNodes ?? []).filter((f) => !targets.has(f.name)),
        badPackets: gossip?.badPackets ?? {},
        unauthorized: [...targets.values()]
          .filter((t) => t.lastError?.code === 'unauthorized')
          .map((t) => ({ node: t.node, address: `beam:${t.node}`, message: t.lastError!.message })),
      };
    },
  });

  return {
    mode: 'beam',
    store: o.store,
    storage: undefined,
    pubSub: o.pubSub ?? 'ex_esdb_pubsub',
    api,
    cluster,
    pubsub,
    registry,
    beamStatus,
    async stop() {
      if (stopped) return;
      stopped = true;
      await api.close();
      await discovery?.stop();
      for (const t of targets.values()) {
        if (t.timer) clearTimeout(t.timer);
        t.link?.close();
      }
    },
  };
}
