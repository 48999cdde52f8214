/**
 * When a heartbeat may change what we believe about a member (DESIGN §5 trust model). Gossip is a hint: an
 * authenticated heartbeat must be fresh (its timestamp near our clock, its sequence number newer than the last one
 * accepted for that incarnation), an older incarnation is a late or replayed datagram from a previous life, and a
 * member an authenticated link proved keeps its incarnation whatever gossip says (its restart shows as the link
 * closing).
 */
import type { HeartbeatAuth, HeartbeatInfo } from './packet.js';
import type { MemberRecord } from './memberTable.js';

/** What is known of a member's current life: a live record, or a forgotten member's tombstone. */
export interface LastHeard {
  incarnation: number;
  seq: number | undefined;
  /** The member is known to be down (a tombstone never is): any incarnation may then start a new life. */
  down: boolean;
}

/**
 * Why an authenticated heartbeat is dropped (`stale`, `replayed`), or undefined when it may be believed.
 *
 * @param last the member's record or tombstone, if any.
 * @param maxSkewMs largest distance of its timestamp from our clock.
 */
export function freshness(
  info: HeartbeatInfo,
  auth: HeartbeatAuth,
  last: LastHeard | undefined,
  now: number,
  maxSkewMs: number,
): 'stale' | 'replayed' | undefined {
  if (Math.abs(now - auth.t) > maxSkewMs) return 'stale';
  if (!last) return undefined;
  if (info.incarnation === last.incarnation && last.seq !== undefined && auth.seq <= last.seq) return 'replayed';
  if (info.incarnation < last.incarnation && !last.down) return 'replayed';
  return undefined;
}

/**
 * Whether a heartbeat with another incarnation than the member's ends its life and starts a new one (a restart).
 * A lower incarnation while the member lives is a late datagram from its previous life; once it is down any
 * incarnation is accepted, so a restart with a clock that went backwards still gets in. A linked member never
 * restarts on gossip alone (maybe forged).
 */
export function believesRestart(m: MemberRecord, info: HeartbeatInfo): boolean {
  if (info.incarnation < m.info.incarnation && m.state !== 'down') return false;
  return !m.linked;
}
