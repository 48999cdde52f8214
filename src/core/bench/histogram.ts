// The one histogram class we use, not the package index: the index also loads the log codec (pako) and the
// WebAssembly build, which cost every command a few hundred ms of start-up on a busy machine.
// Loaded with require so Node and the test runner agree on what the CommonJS module's default export is.
import { createRequire } from 'node:module';
import type * as Int32HistogramModule from 'hdr-histogram-js/dist/Int32Histogram.js';

/** Latency percentiles in milliseconds, as every bench line and status view prints them. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

// Seen from this ES module, a CommonJS module's `default` is its whole exports object, which is what require returns.
const { default: Int32Histogram } = createRequire(import.meta.url)(
  'hdr-histogram-js/dist/Int32Histogram.js',
) as typeof Int32HistogramModule.default;

/** Values are recorded in microseconds: 1 µs resolution, 3 significant digits, up to an hour. */
const MAX_MICROS = 3_600_000_000;

/**
 * An HDR latency histogram fed in milliseconds. Fixed memory (about 100 KB) whatever the number of samples, so
 * the gateway can keep one per node for its whole life and a bench can record millions of calls.
 */
export class LatencyHistogram {
  private readonly h = new Int32Histogram(1, MAX_MICROS, 3);

  /** Records one latency; negative values count as 0 and values beyond an hour as an hour. */
  record(ms: number): void {
    const us = Math.round(ms * 1000);
    this.h.recordValue(us < 0 ? 0 : us > MAX_MICROS ? MAX_MICROS : us);
  }

  get count(): number {
    return this.h.totalCount;
  }

  /** Latency at `percentile` (0–100) in ms. */
  at(percentile: number): number {
    return this.h.totalCount === 0 ? 0 : this.h.getValueAtPercentile(percentile) / 1000;
  }

  /** Adds every sample of `other` (per-client histograms merged into one per operation). */
  add(other: LatencyHistogram): void {
    this.h.add(other.h);
  }

  reset(): void {
    this.h.reset();
  }

  summary(): LatencySummary {
    const n = this.h.totalCount;
    if (n === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    return {
      count: n,
      mean: round3(this.h.mean / 1000),
      p50: this.at(50),
      p90: this.at(90),
      p99: this.at(99),
      p999: this.at(99.9),
      max: this.h.maxValue / 1000,
    };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
