import { describe, expect, it } from 'vitest';
import { DeadlineTimer } from './deadlineTimer.js';

describe('DeadlineTimer', () => {
  it('fires for the earliest deadline, then again for the next one expire returns', async () => {
    const deadlines = new Set<number>();
    const fired: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const timer = new DeadlineTimer((now) => {
      let next = Infinity;
      for (const d of deadlines) {
        if (d <= now) {
          deadlines.delete(d);
          fired.push(d);
        } else next = Math.min(next, d);
      }
      if (deadlines.size === 0) done();
      return next;
    });
    const t0 = performance.now();
    for (const d of [t0 + 60, t0 + 20, t0 + 40]) {
      deadlines.add(d);
      timer.arm(d);
    }
    timer.holdOpen(true);
    await finished;
    expect(fired).toEqual([t0 + 20, t0 + 40, t0 + 60]); // each once, in deadline order
  });

  it('fires nothing after clear', async () => {
    let calls = 0;
    const timer = new DeadlineTimer(() => {
      calls++;
      return Infinity;
    });
    timer.arm(performance.now() + 5);
    timer.clear();
    await new Promise<void>((r) => {
      const t = new DeadlineTimer(() => {
        r();
        return Infinity;
      });
      t.holdOpen(true);
      t.arm(performance.now() + 30); // outlives the cleared deadline
    });
    expect(calls).toBe(0);
  });
});
