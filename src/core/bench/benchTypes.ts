/** What a bench run takes and reports; shared by the run, its delivery tracker and the report text. */
import type { LatencySummary } from './histogram.js';

export type BenchOp = 'append' | 'read' | 'delivery';

export interface BenchOptions {
  store: string;
  /** Concurrent callers (default 1). Each keeps one call in flight, or up to `maxInFlight` with `rate`. */
  clients?: number;
  /** Events to append in all (default 10,000 unless `durationMs` is given). */
  events?: number;
  /** Append for this long instead of a fixed number of events. */
  durationMs?: number;
  /** Events per append call (default 1). */
  batch?: number;
  /** Streams the appends are spread over, round robin (default 10). */
  streams?: number;
  /** Live `$all` subscribers measuring append → delivery (default 0). */
  subscribers?: number;
  /**
   * Events per second in all, open loop: calls are issued on a fixed schedule whether or not earlier ones have
   * answered, and latency counts from the scheduled send time, so queueing shows as latency (not as a lower rate).
   */
  rate?: number;
  /** Read every appended event back in pages of `batch` after the appends (default true). */
  read?: boolean;
  /** Bytes of padding in each event's data (default 0). */
  size?: number;
  /** With `rate`: calls in flight per client before the schedule waits (default 1000). */
  maxInFlight?: number;
  /** After the last append, how long deliveries may stall before the missing ones are counted (default 5000 ms). */
  drainMs?: number;
  /** Progress callback interval (default 1000 ms). */
  progressMs?: number;
  onProgress?: (p: BenchProgress) => void;
  /** Stops the run early; what was measured so far is reported. */
  signal?: AbortSignal;
}

export interface BenchProgress {
  phase: 'append' | 'drain' | 'read';
  elapsedMs: number;
  appended: number;
  /** Events per second over the last interval. */
  rate: number;
  appendP99: number;
  /** Append latency percentiles so far (the console's bench screen draws them as bars). */
  appendLatency: LatencySummary;
  subscribers: number;
  /** Fewest events any subscriber has received (0 without subscribers). */
  delivered: number;
  read: number;
  errors: number;
}

export interface BenchOpResult {
  op: BenchOp;
  /** Append/read calls; pushes received for delivery. */
  calls: number;
  events: number;
  seconds: number;
  eventsPerSec: number;
  callsPerSec: number;
  latency: LatencySummary;
  errors: Record<string, number>;
}

export interface BenchNodeResult {
  node: string;
  op: string;
  calls: number;
  errors: number;
  latency: LatencySummary;
}

export interface BenchDelivery {
  subscribers: number;
  /** Events each subscriber should have received: every event appended without error. */
  expected: number;
  /** Per subscriber: distinct events received. */
  delivered: number[];
  duplicates: number;
  outOfOrder: number;
  missing: number;
}

export interface BenchReport {
  runId: string;
  config: Required<Pick<BenchOptions, 'store' | 'clients' | 'batch' | 'streams' | 'subscribers' | 'read' | 'size'>> & {
    events?: number;
    durationMs?: number;
    rate?: number;
    mode: 'closed' | 'open';
  };
  ops: BenchOpResult[];
  nodes: BenchNodeResult[];
  delivery?: BenchDelivery;
  errors: Record<string, number>;
  aborted: boolean;
}
