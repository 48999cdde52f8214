import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.js';

describe('LatencyHistogram (HDR, fed in ms, µs resolution, 3 significant digits)', () => {
  it('percentiles of 1..1000 ms are within the 0.1% the histogram promises', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    const s = h.summary();
    expect(s.count).toBe(1000);
    const close = (got: number, want: number) => expect(Math.abs(got - want) / want).toBeLessThan(0.001);
    close(s.p50, 500);
    close(s.p90, 900);
    close(s.p99, 990);
    close(s.p999, 999);
    close(s.max, 1000);
    close(s.mean, 500.5);
    close(h.at(100), 1000);
  });

  it('keeps sub-millisecond latencies to the microsecond', () => {
    const h = new LatencyHistogram();
    h.record(0.0125); // 12.5 µs rounds to 13 µs
    h.record(0.25);
    h.record(0.25);
    h.record(0.25);
    const s = h.summary();
    expect(s.p50).toBe(0.25);
    expect(h.at(1)).toBe(0.013);
    expect(s.max).toBe(0.25);
  });

  it('an empty histogram reports zeros, not NaN', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  });

  it('clamps: negative as 0, beyond an hour as an hour; add() merges counts', () => {
    const a = new LatencyHistogram();
    a.record(-5);
    a.record(7_200_000);
    const b = new LatencyHistogram();
    b.record(2);
    b.record(2);
    a.add(b);
    const s = a.summary();
    expect(s.count).toBe(4);
    expect(a.at(25)).toBe(0);
    expect(s.p50).toBe(2);
    expect(Math.abs(s.max - 3_600_000) / 3_600_000).toBeLessThan(0.001);
    a.reset();
    expect(a.count).toBe(0);
  });
});
