/**
 * BEAM nodes heard by their heartbeats (no `ts`): shown, never routed to. Bounded (oldest evicted) and forgotten
 * after a time without a heartbeat.
 */
import type { ForeignNodeView } from './membershipTypes.js';
import { evictOldest } from './boundedMap.js';

interface ForeignRecord {
  address: string;
  heartbeats: number;
  lastSeen: number;
}

export class ForeignNodes {
  private readonly nodes = new Map<string, ForeignRecord>();

  /**
   * @param max cap on nodes tracked.
   * @param ttlMs a node is forgotten after this long without a heartbeat.
   */
  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
  ) {}

  /** Records one heartbeat; true when the node is new (heard for the first time). */
  see(node: string, address: string, now: number): boolean {
    const f = this.nodes.get(node);
    if (f) {
      f.heartbeats++;
      f.lastSeen = now;
      f.address = address;
      return false;
    }
    evictOldest(this.nodes, this.max);
    this.nodes.set(node, { address, heartbeats: 1, lastSeen: now });
    return true;
  }

  /** Forgets the nodes not heard for longer than the TTL. */
  expire(now: number): void {
    for (const [node, f] of this.nodes) if (now - f.lastSeen > this.ttlMs) this.nodes.delete(node);
  }

  views(now: number): ForeignNodeView[] {
    return [...this.nodes].map(([node, f]) => ({
      node,
      address: f.address,
      heartbeats: f.heartbeats,
      lastSeenAgeMs: now - f.lastSeen,
    }));
  }
}
