/**
 * Per-source limit on failed handshakes (issue #11 item 2): a token bucket per address, where each failure
 * takes a token and tokens come back at a steady rate. While an address has no token, its new connections are
 * turned away before the server says hello, so online cookie guessing runs at the refill rate, not at line rate.
 */

export interface FailureLimiterOptions {
  /** Failures an address may have in a burst (default 10). */
  burst?: number;
  /** Failures per second an address may sustain (default 0.5: one every 2 s). */
  perSecond?: number;
  /** Addresses tracked at most; the least recently failing are forgotten first (default 4096). */
  maxSources?: number;
  /** Clock, ms (default `Date.now`). */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class FailureLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly perMs: number;
  private readonly maxSources: number;
  private readonly now: () => number;

  constructor(o: FailureLimiterOptions = {}) {
    this.burst = Math.max(1, o.burst ?? 10);
    this.perMs = Math.max(1e-6, o.perSecond ?? 0.5) / 1000;
    this.maxSources = Math.max(1, o.maxSources ?? 4096);
    this.now = o.now ?? Date.now;
  }

  /** Milliseconds until `address` may try again; 0 when it may now. */
  blockedFor(address: string): number {
    const b = this.refilled(address);
    return b === undefined || b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) / this.perMs);
  }

  /** Counts one failed handshake of `address`. */
  fail(address: string): void {
    const b = this.refilled(address) ?? { tokens: this.burst, at: this.now() };
    b.tokens = Math.max(-this.burst, b.tokens - 1);
    // Re-inserted so the map's order is "least recently failing first", which is what eviction drops.
    this.buckets.delete(address);
    this.buckets.set(address, b);
    while (this.buckets.size > this.maxSources) this.buckets.delete(this.buckets.keys().next().value!);
  }

  private refilled(address: string): Bucket | undefined {
    const b = this.buckets.get(address);
    if (!b) return undefined;
    const now = this.now();
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * this.perMs);
    b.at = now;
    return b;
  }
}
