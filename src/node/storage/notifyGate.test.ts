import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotifyGate } from './notifyGate.js';

describe('NotifyGate: which appends NOTIFY', () => {
  let clock = 0;
  let sent = 0;
  let release: (() => void)[] = [];
  const gate = (window = 2) =>
    new NotifyGate(
      () => {
        sent++;
        return new Promise<void>((r) => release.push(r));
      },
      window,
      () => clock,
    );
  /** One append that runs from begin() to end() with nothing else in between. */
  const append = (g: NotifyGate, wrote = true) => {
    const n = g.begin();
    g.end(n, wrote);
    return n;
  };
  const advance = async (ms: number) => {
    clock += ms;
    await vi.advanceTimersByTimeAsync(ms);
  };
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 1000;
    sent = 0;
    release = [];
  });
  afterEach(() => vi.useRealTimers());

  it('a lone append notifies itself and nothing follows', async () => {
    const g = gate();
    expect(append(g)).toBe(true);
    await advance(100);
    expect(sent).toBe(0);
  });

  it('one writer: one append per window notifies and covers those before it, with no NOTIFY of its own', async () => {
    const g = gate(4);
    const notified: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      notified.push(append(g));
      await advance(1);
    }
    // 1 ms apart, window 4 ms: every fourth append notifies
    expect(notified.filter(Boolean)).toHaveLength(5);
    expect(notified.slice(0, 5)).toEqual([true, false, false, false, true]);
    expect(sent).toBe(0);
  });

  it('appends that stop unannounced get one NOTIFY of their own, two windows after the last', async () => {
    const g = gate(4);
    append(g);
    await advance(1);
    append(g); // inside the window: owed
    await advance(6);
    expect(sent).toBe(0);
    await advance(1);
    expect(sent).toBe(1);
    release.shift()!();
    await advance(100);
    expect(sent).toBe(1);
  });

  it('at most one notifying statement in flight; an append that began while it ran is not covered by it', async () => {
    const g = gate();
    const first = g.begin();
    const second = g.begin(); // runs alongside and commits after the first began
    expect([first, second]).toEqual([true, false]);
    g.end(second, true);
    g.end(first, true);
    await advance(4);
    expect(sent).toBe(1); // the first's NOTIFY may have gone before the second committed
  });

  it('a notifying append that wrote nothing announces nothing: the next append notifies at once', async () => {
    const g = gate();
    const a = g.begin();
    const b = g.begin();
    g.end(b, true);
    g.end(a, false);
    expect(append(g)).toBe(true);
    await advance(100);
    expect(sent).toBe(0);
  });

  it('close sends the NOTIFY still owed', async () => {
    const g = gate();
    append(g);
    append(g);
    const closing = g.close();
    expect(sent).toBe(1);
    release.shift()!();
    await closing;
    expect(g.begin()).toBe(false);
  });
});
