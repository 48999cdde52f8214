import { LatencyHistogram, type LatencySummary } from '../bench/histogram.js';

/** One routed call as the gateway saw it: which node answered, how long it took, and the error code if it failed. */
export interface CallSample {
  node: string;
  op: string;
  ms: number;
  /** GaterError code when the call failed. */
  error?: string;
}

export interface NodeCallStats {
  node: string;
  calls: number;
  errors: number;
  latency: LatencySummary;
}

/**
 * The gateway's own call latency per node (status, option 14), kept in one HDR histogram per node for the
 * gateway's life, plus listeners for tools that want every sample (the bench splits them per operation).
 */
export class CallStats {
  private readonly nodes = new Map<string, { hist: LatencyHistogram; calls: number; errors: number }>();
  /**
   * Called directly rather than through a TypedEmitter: record runs inside every routed call, and an event object
   * plus a copied listener list per sample showed in a small call's latency. Iterating the Set still reaches every
   * other listener when one removes itself.
   */
  private readonly listeners = new Set<(s: CallSample) => void>();

  record(sample: CallSample): void {
    let n = this.nodes.get(sample.node);
    if (!n) {
      n = { hist: new LatencyHistogram(), calls: 0, errors: 0 };
      this.nodes.set(sample.node, n);
    }
    n.calls++;
    if (sample.error !== undefined) n.errors++;
    n.hist.record(sample.ms);
    for (const fn of this.listeners) {
      try {
        fn(sample);
      } catch (err) {
        process.emitWarning(`[CallStats] a sample listener threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Calls every listener with each later sample; returns the function that stops it. */
  listen(fn: (s: CallSample) => void): () => void {
    const own = (s: CallSample): void => fn(s); // one registration per call, even for the same function
    this.listeners.add(own);
    return () => void this.listeners.delete(own);
  }

  /** Per node, in name order. */
  byNode(): NodeCallStats[] {
    return [...this.nodes.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([node, n]) => ({ node, calls: n.calls, errors: n.errors, latency: n.hist.summary() }));
  }
}
