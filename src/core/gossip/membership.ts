/**
 * Cluster membership from gossip heartbeats: a pure state machine (no sockets, clock injected), so every
 * timing rule is unit-testable without waiting. The UDP service feeds it decoded packets and calls `tick()`.
 *
 *   (first heartbeat) ─► alive ─(3 missed)─► suspect ─(10 missed)─► down ─(60 missed)─► forgotten
 *                          ▲  ◄──(heartbeat)──┘                       │
 *                          └────────────(heartbeat; after a hold if it came from markDown)
 * A higher incarnation is a restart: the old life ends (`node_down` reason `restarted`) and a new one starts.
 *
 * Gossip is a hint (DESIGN §5 trust model): an authenticated heartbeat must also be fresh (a newer sequence
 * number than the last one accepted from that node, a timestamp near our clock) or it is counted as a bad
 * packet; a member the gateway has *linked* (an authenticated TCP link proved its name) never changes
 * incarnation on gossip alone, and is never evicted to make room. The table is bounded in total and per source
 * address, evicting the least recently heard unlinked member first, so a flood of forged names cannot keep a
 * real node out.
 */
import type { StorageIdentity } from '../wire/ops.js';
import type { BadPacketReason, DecodedHeartbeat, HeartbeatInfo, NodeRole } from './packet.js';
import { TypedEmitter, logListenerErrors } from '../util/typedEmitter.js';
import type { LogFn } from '../log.js';

/** Member states. Wire-visible in status output: append-only. */
export const MEMBER_STATES = ['alive', 'suspect', 'down'] as const;
export type MemberState = (typeof MEMBER_STATES)[number];

/** Down reasons the state machine itself produces; `markDown` callers pass their own (e.g. `connection_closed`). */
export const DOWN_REASONS = { missedHeartbeats: 'missed_heartbeats', restarted: 'restarted' } as const;

/** Log sink shared by the gossip modules. */
/** Gossip logs through the one log type. */
export type GossipLog = LogFn;

/** A member as status output sees it. Times come from the injected clock. */
export interface MemberView {
  node: string;
  state: MemberState;
  role: NodeRole;
  host: string;
  port: number;
  stores: readonly string[];
  /** Storage identity per store, as the member announced it (absent from older members). */
  storages?: Readonly<Record<string, StorageIdentity>>;
  incarnation: number;
  /** Source IP of the last heartbeat. */
  address: string;
  /** An authenticated link proved this name (set by the gateway); only then is the member routable. */
  linked: boolean;
  /** Time since the last heartbeat, ms. */
  heartbeatAgeMs: number;
  /** Learned interval between this member's heartbeats, ms. */
  expectedIntervalMs: number;
  /** Whole expected intervals elapsed without a heartbeat. */
  missed: number;
  /** Clock time the member entered its current state. */
  since: number;
  downReason?: string;
}

/** A BEAM node seen by its heartbeat (no `ts`): shown, never routed to. */
export interface ForeignNodeView {
  node: string;
  address: string;
  heartbeats: number;
  lastSeenAgeMs: number;
}

/** Dropped packets from one source IP: the "wrong secret?" counter. */
export interface BadSourceView {
  address: string;
  count: number;
  lastReason: BadPacketReason;
  lastSeenAgeMs: number;
}

export interface MembershipSnapshot {
  at: number;
  members: MemberView[];
  foreign: ForeignNodeView[];
  badSources: BadSourceView[];
  /** Exact total of dropped packets, including sources evicted from `badSources`. */
  badPacketsTotal: number;
  /** Exact totals of dropped packets per reason (e.g. `replayed`, `stale`, `unauthenticated`). */
  badPacketsByReason: Partial<Record<BadPacketReason, number>>;
}

/** Events, as a discriminated union on `type`. */
export type MembershipEvent =
  | { type: 'node_up'; node: string; member: MemberView; restarted: boolean }
  | { type: 'node_suspect'; node: string; member: MemberView }
  | { type: 'node_down'; node: string; member: MemberView; reason: string }
  | { type: 'foreign_node'; node: string; address: string }
  | { type: 'bad_packet'; address: string; reason: BadPacketReason; count: number };
export type MembershipEventType = MembershipEvent['type'];

export interface MembershipOptions {
  /** Our own identity; its packets (same node and incarnation) come back over multicast loop and are ignored. */
  self?: { node: string; incarnation: number };
  /** Assumed heartbeat interval of a new member until its real one is learned, ms. Default 1000. */
  heartbeatMs?: number;
  /** Missed intervals before `suspect`. Default 3. */
  suspectAfter?: number;
  /** Missed intervals before `down`. Default 10. */
  downAfter?: number;
  /** Missed intervals before a down member is forgotten. Default 60. */
  forgetAfter?: number;
  /** After `markDown`, same-incarnation heartbeats are ignored for this many intervals. Default 3. */
  markDownHoldIntervals?: number;
  /** A foreign BEAM node is forgotten after this long without a heartbeat, ms. Default 60000. */
  foreignTtlMs?: number;
  /** At most one `bad_packet` event per source per this many ms (counts stay exact). Default 1000. */
  badEventIntervalMs?: number;
  /** Cap on tracked members, so a spoofed plaintext flood cannot grow memory. Default 1024. */
  maxMembers?: number;
  /** Cap on members heard from one source address. Default 64. */
  maxMembersPerSource?: number;
  /** An authenticated heartbeat whose timestamp is further than this from our clock is stale, ms. Default 60000. */
  maxSkewMs?: number;
  /** Cap on tracked foreign nodes (oldest evicted). Default 256. */
  maxForeign?: number;
  /** Cap on bad-packet sources (oldest evicted; the total stays exact). Default 256. */
  maxBadSources?: number;
  /** Clock, ms. Default `Date.now`. */
  now?: () => number;
  log?: GossipLog;
}

interface MemberRecord {
  node: string;
  info: HeartbeatInfo;
  address: string;
  lastSeen: number;
  expected: number;
  state: MemberState;
  since: number;
  downReason?: string;
  holdUntil: number;
  /** Sequence number of the last authenticated heartbeat accepted (this incarnation), if any. */
  seq: number | undefined;
  linked: boolean;
}

/** What is remembered of a forgotten member, so its old heartbeats replayed later are still recognised. */
interface Tombstone {
  incarnation: number;
  seq: number | undefined;
  until: number;
}

interface ForeignRecord {
  address: string;
  heartbeats: number;
  lastSeen: number;
}

interface BadRecord {
  count: number;
  lastReason: BadPacketReason;
  lastSeen: number;
  lastEventAt: number;
}

/** EWMA weight of a new gap when learning a member's interval. */
const INTERVAL_ALPHA = 0.2;
/** Gaps shorter than this are the same datagram arriving twice (e.g. via two routes); they teach nothing. */
const DUPLICATE_GAP_MS = 2;

export class Membership {
  private readonly members = new Map<string, MemberRecord>();
  private readonly tombstones = new Map<string, Tombstone>();
  private readonly foreign = new Map<string, ForeignRecord>();
  private readonly bad = new Map<string, BadRecord>();
  private badTotal = 0;
  private readonly badByReason: Partial<Record<BadPacketReason, number>> = {};
  private readonly events: TypedEmitter<MembershipEvent>;
  private readonly o: Required<Omit<MembershipOptions, 'self' | 'log'>> & Pick<MembershipOptions, 'self' | 'log'>;

  constructor(options: MembershipOptions = {}) {
    this.o = {
      heartbeatMs: 1000,
      suspectAfter: 3,
      downAfter: 10,
      forgetAfter: 60,
      markDownHoldIntervals: 3,
      foreignTtlMs: 60_000,
      badEventIntervalMs: 1000,
      maxMembers: 1024,
      maxMembersPerSource: 64,
      maxSkewMs: 60_000,
      maxForeign: 256,
      maxBadSources: 256,
      now: Date.now,
      ...stripUndefined(options),
    };
    // A zero interval would make every age infinitely many missed heartbeats.
    this.o.heartbeatMs = Math.max(1, this.o.heartbeatMs);
    this.events = new TypedEmitter(this.o.log ? logListenerErrors(this.o.log, 'Gossip') : 'Gossip');
  }

  /** Listens to one event type; returns the unsubscribe function. */
  on<T extends MembershipEventType>(type: T, fn: (e: Extract<MembershipEvent, { type: T }>) => void): () => void {
    return this.events.on(type, fn);
  }

  /** Listens to every event; returns the unsubscribe function. */
  subscribe(fn: (e: MembershipEvent) => void): () => void {
    return this.events.subscribe(fn);
  }

  /** Feeds one decoded datagram from source IP `address`. Never throws. */
  ingest(packet: DecodedHeartbeat, address: string): void {
    const now = this.o.now();
    if (packet.kind === 'bad') return this.countBad(address, packet.reason, now);
    if (packet.kind === 'foreign') return this.seeForeign(packet.node, address, now);
    const { node, info, auth } = packet;
    const self = this.o.self;
    if (self && self.node === node && self.incarnation === info.incarnation) return;
    const m = this.members.get(node);
    if (auth) {
      if (Math.abs(now - auth.t) > this.o.maxSkewMs) return this.countBad(address, 'stale', now);
      const last = m ? { incarnation: m.info.incarnation, seq: m.seq } : this.tombstone(node, now);
      if (last && info.incarnation === last.incarnation && last.seq !== undefined && auth.seq <= last.seq)
        return this.countBad(address, 'replayed', now);
      if (last && info.incarnation < last.incarnation && (!m || m.state !== 'down'))
        return this.countBad(address, 'replayed', now);
    }
    if (!m) return this.admit(node, info, address, now, false, auth?.seq);
    if (info.incarnation !== m.info.incarnation) return this.incarnationChange(m, info, address, now, auth?.seq);
    this.heartbeat(m, info, address, now, auth?.seq);
  }

  /**
   * Records whether an authenticated link proved `node`'s name (the gateway calls this on link up and down).
   * A linked member keeps its incarnation whatever gossip says and is never evicted. Returns false when unknown.
   */
  setLinked(node: string, linked: boolean): boolean {
    const m = this.members.get(node);
    if (!m) return false;
    m.linked = linked;
    return true;
  }

  /**
   * Marks a member down at once (e.g. its TCP connection closed). Heartbeats of the same incarnation are
   * ignored for a few intervals so a node whose TCP is broken does not flap up and down every heartbeat.
   * Returns false when the node is unknown or already down.
   */
  markDown(node: string, reason: string): boolean {
    const m = this.members.get(node);
    if (!m || m.state === 'down') return false;
    const now = this.o.now();
    m.holdUntil = now + m.expected * this.o.markDownHoldIntervals;
    this.goDown(m, reason, now);
    return true;
  }

  /** Applies the timing rules: suspect, down, forget. Call it at least every half interval. */
  tick(): void {
    const now = this.o.now();
    for (const m of [...this.members.values()]) {
      const missed = Math.floor((now - m.lastSeen) / m.expected);
      if (m.state === 'down') {
        if (missed >= this.o.forgetAfter) this.forget(m, now);
      } else if (missed >= this.o.downAfter) {
        this.goDown(m, DOWN_REASONS.missedHeartbeats, now);
      } else if (m.state === 'alive' && missed >= this.o.suspectAfter) {
        this.setState(m, 'suspect', now);
        this.events.emit({ type: 'node_suspect', node: m.node, member: this.view(m, now) });
      }
    }
    for (const [node, f] of this.foreign) if (now - f.lastSeen > this.o.foreignTtlMs) this.foreign.delete(node);
  }

  /** One member, or undefined. */
  get(node: string): MemberView | undefined {
    const m = this.members.get(node);
    return m && this.view(m, this.o.now());
  }

  /** Everything known, for status output. Members, foreign nodes and sources are sorted by name. */
  snapshot(): MembershipSnapshot {
    const now = this.o.now();
    const byKey =
      <T>(k: (x: T) => string) =>
      (a: T, b: T) =>
        k(a).localeCompare(k(b));
    return {
      at: now,
      members: [...this.members.values()].map((m) => this.view(m, now)).sort(byKey((v) => v.node)),
      foreign: [...this.foreign]
        .map(([node, f]) => ({ node, address: f.address, heartbeats: f.heartbeats, lastSeenAgeMs: now - f.lastSeen }))
        .sort(byKey((v) => v.node)),
      badSources: [...this.bad]
        .map(([address, b]) => ({ address, count: b.count, lastReason: b.lastReason, lastSeenAgeMs: now - b.lastSeen }))
        .sort(byKey((v) => v.address)),
      badPacketsTotal: this.badTotal,
      badPacketsByReason: { ...this.badByReason },
    };
  }

  private admit(
    node: string,
    info: HeartbeatInfo,
    address: string,
    now: number,
    restarted: boolean,
    seq: number | undefined,
  ): void {
    if (!restarted && !this.makeRoom(address, now)) {
      this.o.log?.('warn', `gossip: member table full of linked members; ignoring ${node}`);
      return;
    }
    this.tombstones.delete(node);
    const m = newRecord(node, info, address, now, this.o.heartbeatMs);
    m.seq = seq;
    this.members.set(node, m);
    this.events.emit({ type: 'node_up', node, member: this.view(m, now), restarted });
  }

  private incarnationChange(
    m: MemberRecord,
    info: HeartbeatInfo,
    address: string,
    now: number,
    seq: number | undefined,
  ): void {
    // A lower incarnation while the member lives is a late datagram from its previous life. Once it is down
    // we accept any incarnation, so a restart with a clock that went backwards still gets in.
    if (info.incarnation < m.info.incarnation && m.state !== 'down') return;
    // A linked node's restart shows as its link closing; gossip alone (maybe forged) does not end that life.
    if (m.linked) return;
    if (m.state !== 'down') this.goDown(m, DOWN_REASONS.restarted, now);
    this.admit(m.node, info, address, now, true, seq);
  }

  /**
   * Frees a slot for a new member from `address`: evicts the least recently heard unlinked member of that source
   * when it has its share, and of the whole table when it is full. False when only linked members are left.
   */
  private makeRoom(address: string, now: number): boolean {
    const fromSource = [...this.members.values()].filter((x) => x.address === address);
    if (fromSource.length >= this.o.maxMembersPerSource && !this.evictOne(fromSource, now)) return false;
    if (this.members.size >= this.o.maxMembers && !this.evictOne([...this.members.values()], now)) return false;
    return true;
  }

  private evictOne(candidates: MemberRecord[], now: number): boolean {
    let victim: MemberRecord | undefined;
    for (const c of candidates) if (!c.linked && (!victim || c.lastSeen < victim.lastSeen)) victim = c;
    if (!victim) return false;
    this.forget(victim, now);
    return true;
  }

  /** Drops a member, remembering its last sequence number until a replay of it would be stale anyway. */
  private forget(m: MemberRecord, now: number): void {
    this.members.delete(m.node);
    evictOldest(this.tombstones, this.o.maxMembers);
    this.tombstones.set(m.node, { incarnation: m.info.incarnation, seq: m.seq, until: now + this.o.maxSkewMs });
  }

  private tombstone(node: string, now: number): Tombstone | undefined {
    const t = this.tombstones.get(node);
    if (t && t.until < now) {
      this.tombstones.delete(node);
      return undefined;
    }
    return t;
  }

  private heartbeat(m: MemberRecord, info: HeartbeatInfo, address: string, now: number, seq: number | undefined): void {
    const gap = now - m.lastSeen;
    if (gap >= DUPLICATE_GAP_MS) {
      // Clamped so a lost packet, an outage or an early (update-triggered) heartbeat moves the estimate by at
      // most 10-20 %, while a member that really beats slower or faster than our default is still learned.
      const sample = Math.min(Math.max(gap, m.expected / 2), m.expected * 2);
      m.expected = m.expected + INTERVAL_ALPHA * (sample - m.expected);
    }
    m.lastSeen = now;
    m.info = info;
    m.address = address;
    if (seq !== undefined) m.seq = seq;
    if (m.state === 'alive') return;
    if (m.state === 'down' && now < m.holdUntil) return;
    this.setState(m, 'alive', now);
    delete m.downReason;
    this.events.emit({ type: 'node_up', node: m.node, member: this.view(m, now), restarted: false });
  }

  private goDown(m: MemberRecord, reason: string, now: number): void {
    this.setState(m, 'down', now);
    m.downReason = reason;
    this.events.emit({ type: 'node_down', node: m.node, member: this.view(m, now), reason });
  }

  private setState(m: MemberRecord, state: MemberState, now: number): void {
    m.state = state;
    m.since = now;
  }

  private seeForeign(node: string, address: string, now: number): void {
    const f = this.foreign.get(node);
    if (f) {
      f.heartbeats++;
      f.lastSeen = now;
      f.address = address;
      return;
    }
    evictOldest(this.foreign, this.o.maxForeign);
    this.foreign.set(node, { address, heartbeats: 1, lastSeen: now });
    this.events.emit({ type: 'foreign_node', node, address });
  }

  private countBad(address: string, reason: BadPacketReason, now: number): void {
    this.badTotal++;
    this.badByReason[reason] = (this.badByReason[reason] ?? 0) + 1;
    let b = this.bad.get(address);
    if (!b) {
      evictOldest(this.bad, this.o.maxBadSources);
      b = { count: 0, lastReason: reason, lastSeen: now, lastEventAt: -Infinity };
      this.bad.set(address, b);
    }
    b.count++;
    b.lastReason = reason;
    b.lastSeen = now;
    // Rate-limited: a flood of garbage must not become a flood of events and log lines.
    if (now - b.lastEventAt >= this.o.badEventIntervalMs) {
      b.lastEventAt = now;
      this.events.emit({ type: 'bad_packet', address, reason, count: b.count });
    }
  }

  private view(m: MemberRecord, now: number): MemberView {
    const v: MemberView = {
      node: m.node,
      state: m.state,
      role: m.info.role,
      host: m.info.host,
      port: m.info.port,
      stores: [...m.info.stores],
      ...(m.info.storages ? { storages: { ...m.info.storages } } : {}),
      incarnation: m.info.incarnation,
      address: m.address,
      linked: m.linked,
      heartbeatAgeMs: now - m.lastSeen,
      expectedIntervalMs: Math.round(m.expected),
      missed: Math.floor((now - m.lastSeen) / m.expected),
      since: m.since,
    };
    if (m.downReason !== undefined) v.downReason = m.downReason;
    return v;
  }
}

function newRecord(node: string, info: HeartbeatInfo, address: string, now: number, expected: number): MemberRecord {
  return {
    node,
    info,
    address,
    lastSeen: now,
    expected,
    state: 'alive',
    since: now,
    holdUntil: 0,
    seq: undefined,
    linked: false,
  };
}

/** Maps iterate in insertion order, so the first key is the oldest entry. */
function evictOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size >= max) {
    const first = map.keys().next();
    if (first.done) return;
    map.delete(first.value);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
