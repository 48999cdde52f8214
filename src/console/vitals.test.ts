import { describe, expect, it } from 'vitest';
import { HEAP_WARN_RATIO, memoryStatus, sampleMemory } from './vitals.js';

const MB = 1048576;

describe('memory status', () => {
  it('shows rss, heap and limit, and the store count when the events live in this process', () => {
    const s = memoryStatus({ rss: 212 * MB, heapUsed: 140 * MB, heapLimit: 4144 * MB }, 150_000);
    expect(s.text).toBe('mem 212 MB (heap 140/4144 MB) · store 150000 events in memory');
    expect(s.warning).toBeUndefined();
  });

  it('warns near the heap limit, naming the memory store as the cause when it is one', () => {
    const near = { rss: 900 * MB, heapUsed: 700 * MB, heapLimit: 800 * MB };
    expect(700 / 800).toBeGreaterThan(HEAP_WARN_RATIO);
    expect(memoryStatus(near, 1_000_000).warning).toMatch(/heap 88% of its limit: the memory store holds every event/);
    expect(memoryStatus(near).warning).toMatch(/heap 88% of its limit — stop producers/);
    expect(memoryStatus(near).text).not.toContain('store');
  });

  it('samples this process', () => {
    const m = sampleMemory();
    expect(m.heapUsed).toBeGreaterThan(0);
    expect(m.heapLimit).toBeGreaterThan(m.heapUsed);
  });
});
