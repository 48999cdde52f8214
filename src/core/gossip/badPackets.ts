/**
 * Dropped gossip packets counted per source address (the "wrong secret?" counter) and per reason. Totals stay
 * exact while the per-source table is bounded (oldest source evicted), and each source raises at most one event
 * per interval, so a flood of garbage never becomes a flood of events and log lines.
 */
import type { BadPacketReason } from './packet.js';
import type { BadSourceView } from './membershipTypes.js';
import { evictOldest } from './boundedMap.js';

interface BadRecord {
  count: number;
  lastReason: BadPacketReason;
  lastSeen: number;
  lastEventAt: number;
}

export class BadPackets {
  private readonly bySource = new Map<string, BadRecord>();
  private totalCount = 0;
  private readonly reasons: Partial<Record<BadPacketReason, number>> = {};

  /**
   * @param maxSources cap on sources tracked.
   * @param eventIntervalMs shortest time between two events of one source.
   */
  constructor(
    private readonly maxSources: number,
    private readonly eventIntervalMs: number,
  ) {}

  /** Counts one packet; returns the source's count when an event is due, else undefined. */
  count(address: string, reason: BadPacketReason, now: number): number | undefined {
    this.totalCount++;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    let b = this.bySource.get(address);
    if (!b) {
      evictOldest(this.bySource, this.maxSources);
      b = { count: 0, lastReason: reason, lastSeen: now, lastEventAt: -Infinity };
      this.bySource.set(address, b);
    }
    b.count++;
    b.lastReason = reason;
    b.lastSeen = now;
    if (now - b.lastEventAt < this.eventIntervalMs) return undefined;
    b.lastEventAt = now;
    return b.count;
  }

  get total(): number {
    return this.totalCount;
  }

  byReason(): Partial<Record<BadPacketReason, number>> {
    return { ...this.reasons };
  }

  sources(now: number): BadSourceView[] {
    return [...this.bySource].map(([address, b]) => ({
      address,
      count: b.count,
      lastReason: b.lastReason,
      lastSeenAgeMs: now - b.lastSeen,
    }));
  }
}
