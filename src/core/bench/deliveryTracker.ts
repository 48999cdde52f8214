import { performance } from 'node:perf_hooks';
import type { EventRecord } from '../types.js';
import type { BenchDelivery, BenchOpResult } from './benchTypes.js';
import { LatencyHistogram } from './histogram.js';

interface Subscriber {
  /** Next event number expected per stream. */
  next: Map<string, number>;
  delivered: number;
}

/**
 * Append → delivery for the bench's subscribers: latency from the send time carried in each event (`data.t`), and
 * the once-and-in-order check. Streams are fresh per run, so each one's events must arrive as 0, 1, 2, ...;
 * anything lower is a duplicate, anything higher a gap (counted as out of order; what never comes is missing).
 */
export class DeliveryTracker {
  readonly hist = new LatencyHistogram();
  private readonly subs: Subscriber[];
  pushes = 0;
  duplicates = 0;
  outOfOrder = 0;
  lastAt = 0;
  private readonly errors: Record<string, number> = {};

  constructor(
    count: number,
    private readonly prefix: string,
  ) {
    this.subs = Array.from({ length: count }, () => ({ next: new Map(), delivered: 0 }));
  }

  receive(k: number, events: EventRecord[]): void {
    const now = performance.now();
    const sub = this.subs[k]!;
    let mine = 0;
    for (const e of events) {
      const stream = e.eventStreamId;
      if (!stream.startsWith(this.prefix)) continue;
      mine++;
      const want = sub.next.get(stream) ?? 0;
      if (e.eventNumber < want) {
        this.duplicates++;
        continue;
      }
      if (e.eventNumber > want) this.outOfOrder++;
      sub.next.set(stream, e.eventNumber + 1);
      sub.delivered++;
      const t = (e.data as { t?: unknown } | null)?.t;
      if (typeof t === 'number') this.hist.record(now - t);
    }
    if (mine > 0) {
      this.pushes++;
      this.lastAt = now;
    }
  }

  minDelivered(): number {
    let min = Infinity;
    for (const s of this.subs) min = Math.min(min, s.delivered);
    return min === Infinity ? 0 : min;
  }

  /** Resolves when every subscriber has `expected` events, or nothing arrived for `stallMs`, or `stopped()`. */
  async drain(expected: number, stallMs: number, stopped: () => boolean): Promise<void> {
    const started = performance.now();
    while (this.minDelivered() < expected && !stopped()) {
      const quietSince = Math.max(started, this.lastAt);
      if (performance.now() - quietSince >= stallMs) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Delivery as one operation: events received by all subscribers, over the time from the first append. */
  result(startedAt: number): BenchOpResult {
    const events = this.subs.reduce((a, s) => a + s.delivered, 0);
    const seconds = Math.max(0, this.lastAt - startedAt) / 1000;
    return {
      op: 'delivery',
      calls: this.pushes,
      events,
      seconds: Math.round(seconds * 1000) / 1000,
      eventsPerSec: seconds > 0 ? Math.round(events / seconds) : 0,
      callsPerSec: seconds > 0 ? Math.round(this.pushes / seconds) : 0,
      latency: this.hist.summary(),
      errors: { ...this.errors },
    };
  }

  summary(expected: number): BenchDelivery {
    const delivered = this.subs.map((s) => s.delivered);
    return {
      subscribers: this.subs.length,
      expected,
      delivered,
      duplicates: this.duplicates,
      outOfOrder: this.outOfOrder,
      missing: delivered.reduce((a, d) => a + Math.max(0, expected - d), 0),
    };
  }
}
