/**
 * The UDP side of gossip: one multicast socket that announces this process and feeds every datagram it hears
 * into a {@link Membership}. Socket setup follows libcluster's Gossip strategy (reference §5.3) except the
 * send interval, which is ours (DESIGN §5: `heartbeatMs` ± 20 % jitter, so a node is routable within two).
 */
import dgram from 'node:dgram';
import { isIPv4 } from 'node:net';
import { GaterError } from '../errors.js';
import type { StorageIdentity } from '../wire/ops.js';
import { Membership, type GossipLog, type MembershipOptions } from './membership.js';
import { decodeHeartbeat, encodeHeartbeat, validateInfo, type HeartbeatInfo, type NodeRole } from './packet.js';

import { GOSSIP_DEFAULTS } from './defaults.js';

export { GOSSIP_DEFAULTS };

/** Jitter as a fraction of `heartbeatMs` either way; unsynchronised senders avoid bursts. */
const JITTER = 0.2;

export interface GossipOptions {
  /** Our node name, `name@host`; announced as the `node` atom. */
  nodeName: string;
  role: NodeRole;
  /** Host or IP peers should dial for TCP. */
  host: string;
  /** Advertised TCP port (0 if none). */
  port: number;
  /** Stores this process hosts. */
  stores: string[];
  /** Storage identity per store, announced in `ts` (DESIGN §8). */
  storages?: Record<string, StorageIdentity>;
  /** Cluster secret; encrypts every packet (AES-256-CBC). Never logged. Default: none (plaintext). */
  secret?: string | undefined;
  /** UDP port, bound on all addresses and sent to. Default 45892. */
  gossipPort?: number;
  /** Multicast group (224.0.0.0/4; broadcast is not supported). Default `239.255.0.1`. */
  multicastAddr?: string;
  /** Interface to join and send on; `0.0.0.0` lets the kernel choose. Tests use `127.0.0.1`. Default `0.0.0.0`. */
  interfaceAddr?: string;
  /** Heartbeat interval, ms, ± 20 % jitter. Default 1000. */
  heartbeatMs?: number;
  /** This life's incarnation; must grow across restarts. Default `Date.now()`. */
  incarnation?: number;
  /** Timing and cap tuning passed to the {@link Membership}. */
  membership?: Omit<MembershipOptions, 'self' | 'heartbeatMs' | 'log'>;
  /**
   * Hear the group, never send to it (a console linked to an Elixir cluster with `--beam auto`): a libcluster
   * node that decodes a heartbeat naming us would try to connect to that name as a visible Erlang node.
   */
  listenOnly?: boolean;
  /** Randomness for jitter, [0, 1). Default `Math.random`. */
  random?: () => number;
  log?: GossipLog;
}

export interface GossipStats {
  sent: number;
  /** Every datagram received, including our own looped-back heartbeats. */
  received: number;
  sendErrors: number;
}

export interface GossipService {
  readonly nodeName: string;
  readonly incarnation: number;
  readonly membership: Membership;
  /** The bound UDP address. */
  readonly address: { address: string; port: number };
  /** Changes what we announce and sends a heartbeat at once. @throws GaterError `invalid_argument`. */
  update(change: { stores?: string[]; storages?: Record<string, StorageIdentity>; port?: number }): void;
  stats(): GossipStats;
  /** Closes the socket and clears timers. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Binds the gossip socket, joins the group and starts heartbeating (one at once, then every interval).
 * @throws GaterError `invalid_argument` for bad options, `internal` if the socket cannot be set up.
 */
export async function startGossip(opts: GossipOptions): Promise<GossipService> {
  const gossipPort = opts.gossipPort ?? GOSSIP_DEFAULTS.gossipPort;
  const multicastAddr = opts.multicastAddr ?? GOSSIP_DEFAULTS.multicastAddr;
  const interfaceAddr = opts.interfaceAddr ?? GOSSIP_DEFAULTS.interfaceAddr;
  const heartbeatMs = opts.heartbeatMs ?? GOSSIP_DEFAULTS.heartbeatMs;
  if (!isMulticast(multicastAddr)) {
    throw new GaterError('invalid_argument', `gossip: ${multicastAddr} is not an IPv4 multicast group`);
  }
  if (!isIPv4(interfaceAddr)) throw new GaterError('invalid_argument', `gossip: bad interface ${interfaceAddr}`);
  if (!(heartbeatMs > 0)) throw new GaterError('invalid_argument', 'gossip: heartbeatMs must be positive');

  const service = new UdpGossip(opts, { gossipPort, multicastAddr, interfaceAddr, heartbeatMs });
  await service.start();
  return service;
}

interface Resolved {
  gossipPort: number;
  multicastAddr: string;
  interfaceAddr: string;
  heartbeatMs: number;
}

class UdpGossip implements GossipService {
  readonly nodeName: string;
  readonly incarnation: number;
  readonly membership: Membership;
  private info: HeartbeatInfo;
  private readonly socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  private readonly counters: GossipStats = { sent: 0, received: 0, sendErrors: 0 };
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private lastSentAt = 0;
  /** Sequence number of our next heartbeat; grows for the whole incarnation. */
  private seq = 0;
  private stopping: Promise<void> | undefined;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly opts: GossipOptions,
    private readonly r: Resolved,
  ) {
    this.nodeName = opts.nodeName;
    this.incarnation = opts.incarnation ?? Date.now();
    this.info = {
      v: 1,
      role: opts.role,
      host: opts.host,
      port: opts.port,
      stores: [...opts.stores],
      ...(opts.storages ? { storages: { ...opts.storages } } : {}),
      incarnation: this.incarnation,
    };
    // Fail on bad info before any socket exists.
    encodeHeartbeat({ node: this.nodeName, info: this.info });
    const membershipOpts: MembershipOptions = {
      ...opts.membership,
      self: { node: this.nodeName, incarnation: this.incarnation },
      heartbeatMs: r.heartbeatMs,
    };
    if (opts.log) membershipOpts.log = opts.log;
    this.membership = new Membership(membershipOpts);
  }

  get address(): { address: string; port: number } {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  async start(): Promise<void> {
    const { gossipPort, multicastAddr, interfaceAddr, heartbeatMs } = this.r;
    try {
      await new Promise<void>((resolve, reject) => {
        this.socket.once('error', reject);
        // Bound on all addresses: on Linux a socket bound to a unicast address never sees group traffic.
        this.socket.bind(gossipPort, '0.0.0.0', () => {
          this.socket.off('error', reject);
          resolve();
        });
      });
      const viaAny = interfaceAddr === '0.0.0.0';
      this.socket.addMembership(multicastAddr, viaAny ? undefined : interfaceAddr);
      if (!viaAny) this.socket.setMulticastInterface(interfaceAddr);
      // TTL 1: heartbeats never leave the local link. Loop on: processes on one host must see each other.
      this.socket.setMulticastTTL(1);
      this.socket.setMulticastLoopback(true);
    } catch (e) {
      try {
        this.socket.close();
      } catch {
        // Already closed by the failed bind.
      }
      const msg = `gossip: cannot listen on udp ${gossipPort} / group ${multicastAddr} via ${interfaceAddr}`;
      throw new GaterError('internal', `${msg}: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
    }
    this.socket.on('error', (e) => this.log('warn', `gossip: socket error: ${e.message}`));
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo.address));
    this.wireLogging();
    this.log(
      'info',
      `gossip: ${this.nodeName} on udp ${gossipPort}, group ${multicastAddr} via ${interfaceAddr}, ` +
        (this.opts.listenOnly
          ? 'listening only (no heartbeats sent)'
          : `every ${heartbeatMs} ms, ${this.opts.secret === undefined ? 'plaintext' : 'encrypted'}`),
    );
    this.tickTimer = setInterval(() => this.membership.tick(), Math.max(10, heartbeatMs / 2));
    this.sendHeartbeat();
    this.scheduleHeartbeat();
  }

  update(change: { stores?: string[]; storages?: Record<string, StorageIdentity>; port?: number }): void {
    const next: HeartbeatInfo = {
      ...this.info,
      ...(change.stores ? { stores: [...change.stores] } : {}),
      ...(change.storages ? { storages: { ...change.storages } } : {}),
      ...(change.port !== undefined ? { port: change.port } : {}),
    };
    const problem = validateInfo(next);
    if (problem) throw new GaterError('invalid_argument', `gossip: bad update: ${problem}`);
    this.info = next;
    this.sendHeartbeat();
  }

  stats(): GossipStats {
    return { ...this.counters };
  }

  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      clearTimeout(this.heartbeatTimer);
      clearInterval(this.tickTimer);
      for (const u of this.unsubscribe) u();
      this.socket.close(() => resolve());
    });
    return this.stopping;
  }

  private onMessage(msg: Buffer, from: string): void {
    this.counters.received++;
    try {
      const { secret } = this.opts;
      let hb = decodeHeartbeat(msg, { secret });
      // With a secret, one of our heartbeats must carry a valid MAC; a BEAM node's (no ts) stays foreign.
      if (secret !== undefined && hb.kind === 'ours' && !hb.auth?.valid)
        hb = { kind: 'bad', reason: 'unauthenticated' };
      this.membership.ingest(hb, from);
    } catch (e) {
      // decodeHeartbeat and ingest do not throw; this guard keeps a future bug from killing the process.
      this.log('error', `gossip: failed to handle a datagram from ${from}: ${String(e)}`);
    }
  }

  private scheduleHeartbeat(): void {
    if (this.opts.listenOnly) return;
    const random = this.opts.random ?? Math.random;
    const delay = this.r.heartbeatMs * (1 - JITTER + 2 * JITTER * random());
    this.heartbeatTimer = setTimeout(() => {
      this.sendHeartbeat();
      this.scheduleHeartbeat();
    }, delay);
  }

  private sendHeartbeat(): void {
    if (this.stopping || this.opts.listenOnly) return;
    const { secret } = this.opts;
    const now = Date.now();
    const packet = encodeHeartbeat({ node: this.nodeName, info: this.info, seq: this.seq++, t: now }, { secret });
    this.lastSentAt = now;
    try {
      this.socket.send(packet, this.r.gossipPort, this.r.multicastAddr, (err) => {
        if (!err) return void this.counters.sent++;
        this.counters.sendErrors++;
        this.log('warn', `gossip: send failed: ${err.message}`);
      });
    } catch (e) {
      this.counters.sendErrors++;
      this.log('warn', `gossip: send failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private wireLogging(): void {
    const m = this.membership;
    this.unsubscribe.push(
      m.on('node_up', (e) => {
        this.log('debug', `gossip: ${e.node} up (${e.member.role} ${e.member.host}:${e.member.port})`);
        // Answer a newcomer (or a returning member) now, so it need not wait a whole interval to see us.
        if (Date.now() - this.lastSentAt > this.r.heartbeatMs / 4) this.sendHeartbeat();
      }),
      m.on('node_suspect', (e) => this.log('debug', `gossip: ${e.node} suspect (${e.member.missed} missed)`)),
      m.on('node_down', (e) => this.log('debug', `gossip: ${e.node} down (${e.reason})`)),
      m.on('foreign_node', (e) => this.log('debug', `gossip: foreign BEAM node ${e.node} at ${e.address}`)),
      m.on('bad_packet', (e) =>
        this.log('debug', `gossip: dropped packet from ${e.address}: ${e.reason} (${e.count} so far; wrong secret?)`),
      ),
    );
  }

  private log(level: Parameters<GossipLog>[0], msg: string): void {
    try {
      this.opts.log?.(level, msg);
    } catch {
      // A failing log sink must not stop gossip.
    }
  }
}

function isMulticast(addr: string): boolean {
  if (!isIPv4(addr)) return false;
  const first = Number(addr.split('.')[0]);
  return first >= 224 && first <= 239;
}
