import { randomFillSync } from 'node:crypto';

/**
 * ULIDs for event and subscription ids (https://github.com/ulid/spec): 48-bit millisecond time and 80 random bits,
 * Crockford base32, monotonic within a millisecond (the random part counts up by one), so ids sort in creation order.
 *
 * Written here rather than taken from the `ulid` package's monotonicFactory: that one re-encodes the time and
 * increments the random part character by character (indexOf per character) on every call, a sixth of the embedded
 * batch append's time in profiles. Here the time text is encoded once per millisecond and the random part is two
 * 40-bit numbers; the output is the same format (the tests check it against the package's isValid/decodeTime).
 */
const ENCODING = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TWO_40 = 2 ** 40;

/** Randomness from a pool refilled 4 KB at a time (the OS CSPRNG, far fewer calls than one per id). */
const pool = new Uint8Array(4096);
let next = pool.length;
function random40(): number {
  if (next + 5 > pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  let n = 0;
  for (let k = 0; k < 5; k++) n = n * 256 + pool[next++]!;
  return n;
}

/** Every pair of base32 digits, so 40 bits are written with four lookups instead of eight divisions. */
const PAIRS = Array.from({ length: 1024 }, (_, n) => ENCODING[n >> 5]! + ENCODING[n & 31]!);
const TWO_20 = 2 ** 20;

/** 8 base32 digits of a 40-bit number, most significant first. */
function base32x8(n: number): string {
  const a = Math.floor(n / TWO_20);
  const b = n - a * TWO_20;
  return PAIRS[a >> 10]! + PAIRS[a & 1023]! + PAIRS[b >> 10]! + PAIRS[b & 1023]!;
}

/** 10 base32 digits of a 48-bit millisecond time (the top digit holds the highest 3 bits). */
const time10 = (ms: number): string =>
  ENCODING[Math.floor(ms / 2 ** 45)]! + ENCODING[Math.floor(ms / TWO_40) % 32]! + base32x8(ms % TWO_40);

/**
 * A monotonic ULID generator over a clock and a source of 40 random bits (both injectable for tests: the carry from
 * the low into the high half only shows after 2^40 ids in one millisecond).
 */
export function ulidFactory(clock: () => number = Date.now, random: () => number = random40): () => string {
  let lastMs = -1;
  let timeText = '';
  let hi = 0;
  let hiText = '';
  let lo = 0;
  return () => {
    const now = clock();
    if (now > lastMs) {
      lastMs = now;
      timeText = time10(now);
      hi = random();
      hiText = base32x8(hi);
      lo = random();
    } else if (++lo === TWO_40) {
      // Same millisecond (or the clock went back): count up, carrying into the high half.
      lo = 0;
      if (++hi === TWO_40) throw new Error('ULID random part overflowed within one millisecond');
      hiText = base32x8(hi);
    }
    return timeText + hiText + base32x8(lo);
  };
}

/** The process's one id generator: ids from every caller sort in creation order. */
export const newId: () => string = ulidFactory();
