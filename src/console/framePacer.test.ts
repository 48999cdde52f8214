import { describe, expect, it } from 'vitest';
import { FramePacer } from './framePacer.js';

describe('frame pacing', () => {
  it('runs at the shortest interval while frames are cheap', () => {
    const p = new FramePacer(33, 0.1, 1000);
    expect(p.intervalMs).toBe(33);
    for (let i = 0; i < 10; i++) p.record(2);
    expect(p.intervalMs).toBe(33);
  });

  it('spaces costly frames so drawing keeps to its share of the time', () => {
    const p = new FramePacer(33, 0.1, 1000);
    for (let i = 0; i < 20; i++) p.record(12);
    expect(p.intervalMs).toBeCloseTo(120, 0);
    for (let i = 0; i < 40; i++) p.record(500);
    expect(p.intervalMs).toBe(1000); // never slower than a frame a second
    for (let i = 0; i < 40; i++) p.record(1);
    expect(p.intervalMs).toBe(33); // and recovers when the machine does
  });

  it('ignores nonsense measurements', () => {
    const p = new FramePacer(50);
    p.record(Number.NaN);
    p.record(-5);
    expect(p.intervalMs).toBe(50);
  });
});
