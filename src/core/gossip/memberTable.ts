/**
 * The bounded member table (DESIGN §5 trust model): members by name, bounded in total and per source address.
 * Room for a new member is made by evicting the least recently heard *unlinked* member, so a flood of forged names
 * cannot keep a real node out and never pushes out a node an authenticated link proved. A forgotten member leaves
 * a tombstone (its incarnation and last sequence number) so its old heartbeats replayed later are still known.
 */
import type { HeartbeatInfo } from './packet.js';
import type { MemberState } from './membershipTypes.js';
import { evictOldest } from './boundedMap.js';

export interface MemberRecord {
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
  /** Heard is being in the table; linked is an authenticated link having proved the name (set by the gateway). */
  linked: boolean;
}

/** What is remembered of a forgotten member, so its old heartbeats replayed later are still recognised. */
export interface Tombstone {
  incarnation: number;
  seq: number | undefined;
  until: number;
}

export function newRecord(
  node: string,
  info: HeartbeatInfo,
  address: string,
  now: number,
  expected: number,
): MemberRecord {
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

export class MemberTable {
  private readonly members = new Map<string, MemberRecord>();
  private readonly tombstones = new Map<string, Tombstone>();

  /**
   * @param maxMembers cap on members in total (also on tombstones).
   * @param maxPerSource cap on members heard from one source address.
   * @param tombstoneMs how long a forgotten member's tombstone lasts (until a replay of it would be stale anyway).
   */
  constructor(
    private readonly maxMembers: number,
    private readonly maxPerSource: number,
    private readonly tombstoneMs: number,
  ) {}

  get(node: string): MemberRecord | undefined {
    return this.members.get(node);
  }

  values(): IterableIterator<MemberRecord> {
    return this.members.values();
  }

  /** Adds (or replaces) a member; its tombstone, if any, is gone. */
  set(m: MemberRecord): void {
    this.tombstones.delete(m.node);
    this.members.set(m.node, m);
  }

  /**
   * Frees a slot for a new member from `address`: evicts the least recently heard unlinked member of that source
   * when it has its share, and of the whole table when it is full. False when only linked members are left.
   */
  makeRoom(address: string, now: number): boolean {
    const fromSource = [...this.members.values()].filter((x) => x.address === address);
    if (fromSource.length >= this.maxPerSource && !this.evictOne(fromSource, now)) return false;
    if (this.members.size >= this.maxMembers && !this.evictOne([...this.members.values()], now)) return false;
    return true;
  }

  /** Drops a member, remembering its last sequence number until a replay of it would be stale anyway. */
  forget(m: MemberRecord, now: number): void {
    this.members.delete(m.node);
    evictOldest(this.tombstones, this.maxMembers);
    this.tombstones.set(m.node, { incarnation: m.info.incarnation, seq: m.seq, until: now + this.tombstoneMs });
  }

  /** The tombstone of a forgotten member, while it lasts. */
  tombstone(node: string, now: number): Tombstone | undefined {
    const t = this.tombstones.get(node);
    if (t && t.until < now) {
      this.tombstones.delete(node);
      return undefined;
    }
    return t;
  }

  private evictOne(candidates: MemberRecord[], now: number): boolean {
    let victim: MemberRecord | undefined;
    for (const c of candidates) if (!c.linked && (!victim || c.lastSeen < victim.lastSeen)) victim = c;
    if (!victim) return false;
    this.forget(victim, now);
    return true;
  }
}
