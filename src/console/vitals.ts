import { getHeapStatistics } from 'node:v8';
import type { Gater } from '../core/index.js';

/** The process's memory as the console shows it. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  /** V8's heap limit (--max-old-space-size): past it the process dies with "JavaScript heap out of memory". */
  heapLimit: number;
}

export function sampleMemory(): MemorySample {
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed, heapLimit: getHeapStatistics().heap_size_limit };
}

/** Share of the heap limit from which the console warns: there is still time to stop producers. */
export const HEAP_WARN_RATIO = 0.8;

export interface MemoryStatus {
  text: string;
  /** Set near the heap limit: what is happening and what to do. */
  warning?: string;
}

const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;

/**
 * "mem 212 MB (heap 140/4144 MB) · store 150000 events in memory". `storeEvents` is given only when the
 * events live in this process (embedded memory storage): then they are what fills the heap, and the warning
 * says so.
 */
export function memoryStatus(m: MemorySample, storeEvents?: number): MemoryStatus {
  const parts = [`mem ${mb(m.rss)} (heap ${Math.round(m.heapUsed / 1048576)}/${mb(m.heapLimit)})`];
  if (storeEvents !== undefined) parts.push(`store ${storeEvents} events in memory`);
  const status: MemoryStatus = { text: parts.join(' · ') };
  if (m.heapUsed >= m.heapLimit * HEAP_WARN_RATIO) {
    const pct = Math.round((m.heapUsed / m.heapLimit) * 100);
    status.warning =
      storeEvents !== undefined
        ? `heap ${pct}% of its limit: the memory store holds every event — stop producers (8) or restart with --storage sqlite:<file>`
        : `heap ${pct}% of its limit — stop producers (8) or observers (6) before the process runs out of memory`;
  }
  return status;
}

/** What the header shows, gathered once a second in one pass so the whole screen updates in one frame. */
export interface VitalsSnapshot {
  mode: Gater['mode'];
  store: string;
  /** Nodes that are alive and linked / nodes known. */
  nodes: { linked: number; total: number };
  /** Streams in the store; undefined while the store does not answer. */
  streams?: number;
  /** Events in the store (its head position + 1); undefined while the store does not answer. */
  storeEvents?: number;
  /**
   * Events appended to the store per second, over the rate window (anyone's appends, not only this console's);
   * undefined when the store has no store-wide position to count from (an ExESDB cluster over --beam).
   */
  appendRate: number | undefined;
  /** Append-to-delivery latency p99 of events this console's observers and subscriptions received, in ms. */
  deliveryP99?: number;
  /** Events delivered to this console in the window. */
  delivered: number;
  memory: MemoryStatus;
  /** Set when the store could not be asked (no workers, timeout): the figures above are the last known. */
  error?: string;
  /** Set when live nodes hosting the store hold separate storages (DESIGN §8): reads would differ between them. */
  split?: { groups: number; kinds: string[] };
}
