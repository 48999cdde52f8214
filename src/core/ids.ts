import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * Randomness for ULIDs from a pool refilled 4 KB at a time: the library's default asks the crypto module for one
 * byte per character (16 calls for every new millisecond), which showed in profiles of the embedded append path.
 * Same source (the OS CSPRNG), far fewer calls. Returns [0, 1) as ulid's PRNG contract asks.
 */
const pool = new Uint8Array(4096);
let next = pool.length;
function pooledRandom(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  // 0..255 / 256: never 1, so ulid's index (floor(prng * 32)) stays in range
  return pool[next++]! / 256;
}

/**
 * ULIDs for event and subscription ids. One monotonic factory: ids sort in creation order within a
 * millisecond, and it costs well under a microsecond where a fresh `ulid()` costs ~30 µs (new randomness per call).
 */
export const newId: () => string = monotonicFactory(pooledRandom);
