import { TypedEmitter } from '../util/typedEmitter.js';
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
  private readonly events = new TypedEmitter<{ type: 'sample'; sample: CallSample }>('CallStats');

  record(sample: CallSample): void {
    let n = this.nodes.get(sample.node);
    if (!n) {
      n = { hist: new LatencyHistogram(), calls: 0, errors: 0 };
      this.nodes.set(sample.node, n);
    }
    n.calls++;
    if (sample.error !== undefined) n.errors++;
    n.hist.record(sample.ms);
    if (this.events.listenerCount > 0) this.events.emit({ type: 'sample', sample });
  }

  /** Calls every listener with each later sample; returns the function that stops it. */
  listen(fn: (s: CallSample) => void): () => void {
    return this.events.subscribe((e) => fn(e.sample));
  }

  /** Per node, in name order. */
  byNode(): NodeCallStats[] {
    return [...this.nodes.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([node, n]) => ({ node, calls: n.calls, errors: n.errors, latency: n.hist.summary() }));
  }
}
