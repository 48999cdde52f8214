import { describe, expect, it } from 'vitest';
import { LineFeed, LogStore } from './feed.js';
import { RateMeter, RingBuffer } from './ringBuffer.js';

describe('RingBuffer', () => {
  it('keeps the newest `capacity` items in order and counts everything', () => {
    const r = new RingBuffer<number>(3);
    expect(r.toArray()).toEqual([]);
    r.pushMany([1, 2]);
    expect(r.toArray()).toEqual([1, 2]);
    r.pushMany([3, 4, 5]);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.toArray(2)).toEqual([4, 5]);
    expect(r.toArray(10)).toEqual([3, 4, 5]);
    expect(r.size).toBe(3);
    expect(r.total).toBe(5);
    r.clear();
    expect(r.toArray()).toEqual([]);
    expect(r.total).toBe(5);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });

  it('a feed holds 100,000 lines in bounded memory with an exact count and one notification per batch', () => {
    const feed = new LineFeed(500);
    let notified = 0;
    feed.subscribe(() => notified++);
    for (let i = 0; i < 1000; i++)
      feed.pushMany(
        'seen',
        Array.from({ length: 100 }, (_, j) => `SEEN ${i * 100 + j}`),
      );
    expect(feed.total).toBe(100_000);
    expect(feed.buffer.size).toBe(500);
    expect(feed.lines(1)[0]!.text).toBe('SEEN 99999');
    expect(feed.lines()[0]!.text).toBe('SEEN 99500');
    expect(notified).toBe(1000);
  });
});

describe('RateMeter', () => {
  it('reports events per second over the window from sampled totals', () => {
    let now = 0;
    const m = new RateMeter(1000, () => now);
    expect(m.sample(0)).toBe(0);
    now = 500;
    expect(m.sample(50)).toBe(100);
    now = 1000;
    expect(m.sample(100)).toBe(100);
    now = 2000;
    expect(m.sample(100)).toBe(0); // quiet for a second
  });
});

describe('LogStore', () => {
  it('drops lines below its level and flattens newlines so a log line is one row', () => {
    const logs = new LogStore(10, 'warn');
    logs.log('info', 'hidden');
    logs.log('error', 'boom\n  at somewhere');
    expect(logs.lines().map((l) => [l.level, l.text])).toEqual([['error', 'boom at somewhere']]);
    const silent = new LogStore(10, 'silent');
    silent.log('error', 'x');
    expect(silent.lines()).toEqual([]);
  });
});

describe('events/s over a sliding window', () => {
  it('reads a steady 1.5 ev/s when events come every 667 ms and the figure is sampled every second', async () => {
    const { RATE_WINDOW_MS } = await import('./hooks/useRingBuffer.js');
    let now = 0;
    let total = 0;
    const m = new RateMeter(RATE_WINDOW_MS, () => now);
    const readings: number[] = [];
    for (let t = 0; t <= 20_000; t += 1) {
      if (t > 0 && t % 667 === 0) total++;
      if (t % 1000 === 0) {
        now = t;
        const r = m.sample(total);
        if (t >= RATE_WINDOW_MS) readings.push(r);
      }
    }
    for (const r of readings) expect(r).toBeGreaterThan(1.2);
    for (const r of readings) expect(r).toBeLessThan(1.8);
  });
});
