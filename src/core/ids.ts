import { randomFillSync } from 'node:crypto';

/**
 * ULIDs for event and subscription ids (https://github.com/ulid/spec): 48-bit millisecond time and 80 random bits,
 * Crockford base32, monotonic within a millisecond (the random part counts up by one), so ids sort in creation order.
 *
 * Written here rather than taken from the `ulid` package's monotonicFactory: that one re-encodes the time and
 * increments the random part character by character (indexOf per character) on every call, a sixth of the embedded
 * batch append's time in profiles. Here the time digits are written once per millisecond and the random part is two
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

const CODES = Array.from(ENCODING, (c) => c.charCodeAt(0));
const ZERO = CODES[0]!;
const LAST = CODES[31]!;
/** The code of the next digit, by a digit's code (LAST has none: the caller carries). */
const NEXT_CODE: number[] = Array.from({ length: 128 }, (_, code) => CODES[CODES.indexOf(code) + 1] ?? 0);

/** Writes the `count` base32 digits of `n` (most significant first) as character codes into `out` from `at`. */
function writeDigits(out: number[], at: number, count: number, n: number): void {
  for (let k = at + count - 1; k >= at; k--) {
    out[k] = CODES[n % 32]!;
    n = Math.floor(n / 32);
  }
}

/**
 * A monotonic ULID generator over a clock and a source of 40 random bits (both injectable for tests: the carry from
 * the low into the high half only shows after 2^40 ids in one millisecond).
 *
 * The id is made in one step from its 26 character codes: joined from pieces, it would be a tree of concatenations
 * that V8 flattens into yet another string at the first comparison, and every stored event keeps its id. The codes
 * are passed one by one: a spread of the array took about half as long again per id.
 */
export function ulidFactory(clock: () => number = Date.now, random: () => number = random40): () => string {
  let lastMs = -1;
  let hi = 0;
  let lo = 0;
  const c = Array.from({ length: 26 }, () => ZERO);
  return () => {
    const now = clock();
    if (now > lastMs) {
      lastMs = now;
      writeDigits(c, 0, 10, now);
      hi = random();
      writeDigits(c, 10, 8, hi);
      lo = random();
      writeDigits(c, 18, 8, lo);
    } else if (++lo === TWO_40) {
      // Same millisecond (or the clock went back): count up, carrying into the high half.
      lo = 0;
      if (++hi === TWO_40) throw new Error('ULID random part overflowed within one millisecond');
      writeDigits(c, 10, 8, hi);
      writeDigits(c, 18, 8, 0);
    } else {
      // lo + 1 digit by digit; below 2^40 - 1 the carry stops inside the low half.
      let k = 25;
      while (c[k] === LAST) c[k--] = ZERO;
      c[k] = NEXT_CODE[c[k]!]!;
    }
    // prettier-ignore
    return String.fromCharCode(
      c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!, c[12]!,
      c[13]!, c[14]!, c[15]!, c[16]!, c[17]!, c[18]!, c[19]!, c[20]!, c[21]!, c[22]!, c[23]!, c[24]!, c[25]!,
    );
  };
}

/** The process's one id generator: ids from every caller sort in creation order. */
export const newId: () => string = ulidFactory();
