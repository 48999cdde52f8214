/**
 * What gossip membership shows and takes: member states, the views status output reads, the events it emits and
 * its options. Plain types, so readers of membership need nothing of the state machine.
 */
import type { StorageIdentity } from '../wire/ops.js';
import type { BadPacketReason, NodeRole } from './packet.js';
import type { LogFn } from '../log.js';

/** Member states. Wire-visible in status output: append-only. */
export const MEMBER_STATES = ['alive', 'suspect', 'down'] as const;
export type MemberState = (typeof MEMBER_STATES)[number];

/** Down reasons the state machine itself produces; `markDown` callers pass their own (e.g. `connection_closed`). */
export const DOWN_REASONS = { missedHeartbeats: 'missed_heartbeats', restarted: 'restarted' } as const;

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
