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
 *
 * This file holds the state machine (timing and the order of the rules); the pieces it uses live beside it:
 * membershipTypes.ts (views, events, options), memberTable.ts (the bounded table and tombstones),
 * incarnationRules.ts (freshness, replay and restart rules), badPackets.ts and foreignNodes.ts.
 */
import type { BadPacketReason, DecodedHeartbeat, HeartbeatInfo } from './packet.js';
import { TypedEmitter, logListenerErrors } from '../util/typedEmitter.js';
import {
  DOWN_REASONS,
  type MemberState,
  type MemberView,
  type MembershipEvent,
  type MembershipEventType,
  type MembershipOptions,
  type MembershipSnapshot,
} from './membershipTypes.js';
import { MemberTable, newRecord, type MemberRecord } from './memberTable.js';
import { believesRestart, freshness, type LastHeard } from './incarnationRules.js';
import { BadPackets } from './badPackets.js';
import { ForeignNodes } from './foreignNodes.js';

export {
  MEMBER_STATES,
  DOWN_REASONS,
  type MemberState,
  type GossipLog,
  type MemberView,
  type ForeignNodeView,
  type BadSourceView,
  type MembershipSnapshot,
  type MembershipEvent,
  type MembershipEventType,
  type MembershipOptions,
} from './membershipTypes.js';

/** EWMA weight of a new gap when learning a member's interval. */
const INTERVAL_ALPHA = 0.2;
/** Gaps shorter than this are the same datagram arriving twice (e.g. via two routes); they teach nothing. */
const DUPLICATE_GAP_MS = 2;

export class Membership {
  private readonly members: MemberTable;
  private readonly foreign: ForeignNodes;
  private readonly bad: BadPackets;
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
    this.members = new MemberTable(this.o.maxMembers, this.o.maxMembersPerSource, this.o.maxSkewMs);
    this.foreign = new ForeignNodes(this.o.maxForeign, this.o.foreignTtlMs);
    this.bad = new BadPackets(this.o.maxBadSources, this.o.badEventIntervalMs);
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
      const last: LastHeard | undefined = m
        ? { incarnation: m.info.incarnation, seq: m.seq, down: m.state === 'down' }
        : this.tombstoneOf(node, now);
      const dropped = freshness(info, auth, last, now, this.o.maxSkewMs);
      if (dropped) return this.countBad(address, dropped, now);
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
        if (missed >= this.o.forgetAfter) this.members.forget(m, now);
      } else if (missed >= this.o.downAfter) {
        this.goDown(m, DOWN_REASONS.missedHeartbeats, now);
      } else if (m.state === 'alive' && missed >= this.o.suspectAfter) {
        this.setState(m, 'suspect', now);
        this.events.emit({ type: 'node_suspect', node: m.node, member: this.view(m, now) });
      }
    }
    this.foreign.expire(now);
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
      foreign: this.foreign.views(now).sort(byKey((v) => v.node)),
      badSources: this.bad.sources(now).sort(byKey((v) => v.address)),
      badPacketsTotal: this.bad.total,
      badPacketsByReason: this.bad.byReason(),
    };
  }

  private tombstoneOf(node: string, now: number): LastHeard | undefined {
    const t = this.members.tombstone(node, now);
    return t && { incarnation: t.incarnation, seq: t.seq, down: false };
  }

  private admit(
    node: string,
    info: HeartbeatInfo,
    address: string,
    now: number,
    restarted: boolean,
    seq: number | undefined,
  ): void {
    if (!restarted && !this.members.makeRoom(address, now)) {
      this.o.log?.('warn', `gossip: member table full of linked members; ignoring ${node}`);
      return;
    }
    const m = newRecord(node, info, address, now, this.o.heartbeatMs);
    m.seq = seq;
    this.members.set(m);
    this.events.emit({ type: 'node_up', node, member: this.view(m, now), restarted });
  }

  private incarnationChange(
    m: MemberRecord,
    info: HeartbeatInfo,
    address: string,
    now: number,
    seq: number | undefined,
  ): void {
    if (!believesRestart(m, info)) return;
    if (m.state !== 'down') this.goDown(m, DOWN_REASONS.restarted, now);
    this.admit(m.node, info, address, now, true, seq);
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
    if (this.foreign.see(node, address, now)) this.events.emit({ type: 'foreign_node', node, address });
  }

  private countBad(address: string, reason: BadPacketReason, now: number): void {
    const count = this.bad.count(address, reason, now);
    if (count !== undefined) this.events.emit({ type: 'bad_packet', address, reason, count });
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

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
