import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './failureLimiter.js';
import { RefusalLog } from './refusalLog.js';

describe('FailureLimiter', () => {
  it('allows a burst of failures per address, then one per refill period; other addresses are not affected', () => {
    let now = 0;
    const l = new FailureLimiter({ burst: 3, perSecond: 0.5, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(l.blockedFor('a')).toBe(0);
      l.fail('a');
    }
    expect(l.blockedFor('a')).toBe(2000);
    expect(l.blockedFor('b')).toBe(0);
    now += 1500;
    expect(l.blockedFor('a')).toBe(500);
    now += 500;
    expect(l.blockedFor('a')).toBe(0);
    l.fail('a');
    expect(l.blockedFor('a')).toBe(2000);
  });

  it('tracks a bounded number of addresses', () => {
    const l = new FailureLimiter({ burst: 1, maxSources: 2 });
    for (const a of ['a', 'b', 'c']) l.fail(a);
    expect(l.blockedFor('a')).toBe(0); // forgotten: the least recently failing address
    expect(l.blockedFor('c')).toBeGreaterThan(0);
  });
});

describe('RefusalLog', () => {
  it('logs the first refusal at once, then at most one summary per interval, with counts and top sources', () => {
    const now = 0;
    const lines: string[] = [];
    const r = new RefusalLog(
      (_l, m) => lines.push(m),
      10_000,
      () => now,
    );
    r.note('badAuth', '10.0.0.1');
    expect(lines).toEqual(['refused 1 connection: 1 wrong cookie or malformed auth (from 10.0.0.1 ×1)']);
    for (let i = 0; i < 500; i++) r.note(i % 2 ? 'badAuth' : 'rateLimited', i % 5 ? '10.0.0.2' : '10.0.0.3');
    expect(lines).toHaveLength(1);
    r.flush();
    expect(lines[1]).toBe(
      'refused 500 connections: 250 too many failed handshakes (rate-limited), 250 wrong cookie or malformed auth (from 10.0.0.2 ×400, 10.0.0.3 ×100)',
    );
    r.stop();
  });
});
