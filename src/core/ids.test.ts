import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeTime, isValid, monotonicFactory } from 'ulid';
import { newId, ulidFactory } from './ids.js';

describe('newId (monotonic ULIDs)', () => {
  it('makes valid ULIDs whose time is now, strictly increasing in a burst', () => {
    const before = Date.now();
    const ids = Array.from({ length: 20_000 }, () => newId());
    const after = Date.now();
    for (const id of ids) {
      expect(isValid(id)).toBe(true);
      const t = decodeTime(id);
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(after);
    }
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });

  it('encodes time and random bits as the ulid package does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 48 - 1 }), // the package reads 0 as 'now'
        fc.integer({ min: 0, max: 2 ** 40 - 1 }),
        (ms, r) => {
          const id = ulidFactory(
            () => ms,
            () => r,
          )();
          expect(decodeTime(id)).toBe(ms);
          // the package's generator fed the same time; only the time part can be compared (its randomness differs)
          expect(id.slice(0, 10)).toBe(monotonicFactory(() => 0)(ms).slice(0, 10));
          expect(id.slice(10)).toBe(base32Of(r) + base32Of(r));
        },
      ),
    );
  });

  it('counts up within a millisecond, carrying from the low into the high half', () => {
    const next = ulidFactory(
      () => 1000,
      () => 2 ** 40 - 2,
    );
    const a = next();
    const b = next(); // lo = 2^40 - 1
    const c = next(); // lo wraps to 0, hi + 1
    expect(b > a && c > b).toBe(true);
    expect(c.slice(10, 18)).toBe(base32Of(2 ** 40 - 1));
    expect(c.slice(18)).toBe('00000000');
  });

  it('the n-th id of a millisecond ends in the base32 digits of the first random part plus n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 - 2000 }), fc.integer({ min: 1, max: 1999 }), (r, n) => {
        const next = ulidFactory(
          () => 1000,
          () => r,
        );
        let id = next();
        for (let i = 0; i < n; i++) id = next();
        expect(id.slice(18)).toBe(base32Of(r + n));
        expect(id.slice(10, 18)).toBe(base32Of(r));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps counting from the last time when the clock goes back', () => {
    let now = 5000;
    const next = ulidFactory(
      () => now,
      () => 7,
    );
    const a = next();
    now = 4000;
    const b = next();
    expect(decodeTime(b)).toBe(5000);
    expect(b > a).toBe(true);
  });
});

/** 8 Crockford base32 digits of a 40-bit number, written independently of the code under test. */
function base32Of(n: number): string {
  return BigInt(n)
    .toString(32)
    .padStart(8, '0')
    .toUpperCase()
    .replace(/[I-Z]/g, (c) => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[parseInt(c, 32)]!);
}
