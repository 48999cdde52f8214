import { describe, expect, it } from 'vitest';
import { Atom, TermMap, atom, decodeTerm, encodeTerm, termEquals, termMap, tuple, type Term } from './etf.js';
import { sampleTerm as sample } from '../../../test/erlang/sampleTerm.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decodeOk(b: Uint8Array): Term {
  const r = decodeTerm(b);
  if (!r.ok) throw new Error(`decode failed: ${r.error} @${r.offset}`);
  return r.term;
}

/** A seeded PRNG so a failing fuzz case reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('etf encode', () => {
  it('encode - writes the heartbeat map exactly as OTP 26 term_to_binary does', () => {
    const bytes = encodeTerm(termMap([[atom('node'), atom('a@b')]]));
    // 131, MAP arity 1, SMALL_ATOM_UTF8 "node", SMALL_ATOM_UTF8 "a@b"
    expect(bytes).toEqual(hex('83 74 00000001 77 04 6e6f6465 77 03 614062'));
  });

  it('encode - picks the smallest integer encoding', () => {
    expect(encodeTerm(7)).toEqual(hex('83 61 07'));
    expect(encodeTerm(-1)).toEqual(hex('83 62 ffffffff'));
    expect(encodeTerm(2 ** 31)).toEqual(hex('83 6e 04 00 00000080'));
    expect(encodeTerm(-(2n ** 64n))).toEqual(hex('83 6e 09 01 000000000000000001'));
    expect(encodeTerm(1.5)).toEqual(hex('83 46 3ff8000000000000'));
  });

  it('encode - lists of bytes become STRING_EXT, other lists LIST_EXT with a NIL tail', () => {
    expect(encodeTerm([104, 105])).toEqual(hex('83 6b 0002 6869'));
    expect(encodeTerm([])).toEqual(hex('83 6a'));
    expect(encodeTerm([256])).toEqual(hex('83 6c 00000001 62 00000100 6a'));
  });

  it('encode - refuses what Erlang cannot represent', () => {
    expect(() => encodeTerm(Number.NaN)).toThrow(/no float/);
    expect(() => encodeTerm(atom('x'.repeat(256)))).toThrow(/255/);
    const cyclic: Term[] = [];
    cyclic.push(cyclic);
    expect(() => encodeTerm(cyclic)).toThrow(/deep/);
    expect(() => encodeTerm({} as unknown as Term)).toThrow(/cannot encode/);
  });
});

describe('etf decode', () => {
  it('decode - round-trips every supported kind', () => {
    const back = decodeOk(encodeTerm(sample));
    expect(termEquals(back, sample)).toBe(true);
    expect(back).toBeInstanceOf(TermMap);
    const m = back as TermMap;
    expect(m.get(atom('node'))).toEqual(new Atom('a@127.0.0.1'));
    // An atom and a binary with the same text stay distinct.
    expect(m.get(Buffer.from('node'))).toBeUndefined();
    expect(termEquals(atom('k'), Buffer.from('k'))).toBe(false);
  });

  it('decode - reads the older atom encodings OTP 25 emits', () => {
    // #{node => a@b} from OTP 25: ATOM_EXT (100) for both atoms.
    const t = decodeOk(hex('83 74 00000001 64 0004 6e6f6465 64 0003 614062')) as TermMap;
    expect(t.get(atom('node'))).toEqual(atom('a@b'));
    expect(decodeOk(hex('83 73 01 78'))).toEqual(atom('x')); // SMALL_ATOM_EXT
    expect(decodeOk(hex('83 76 0002 c3bc'))).toEqual(atom('ü')); // ATOM_UTF8_EXT
    expect(decodeOk(hex('83 64 0001 e9'))).toEqual(atom('é')); // latin1, not windows-1252
  });

  it('decode - reads LARGE_BIG and FLOAT_EXT', () => {
    expect(decodeOk(hex('83 6f 00000002 01 0001'))).toBe(-256);
    const f = Buffer.alloc(31);
    f.write('1.50000000000000000000e+00');
    expect(decodeOk(Buffer.concat([hex('83 63'), f]))).toBe(1.5);
  });

  it('decode - reports truncation at every offset of a valid term', () => {
    const full = encodeTerm(sample);
    for (let i = 0; i < full.length; i++) {
      const r = decodeTerm(full.subarray(0, i));
      expect(r.ok, `prefix of ${i} bytes`).toBe(false);
    }
  });

  it('decode - rejects trailing bytes, bad version, unknown tags, improper lists, bad utf8', () => {
    const cases: Array<[string, RegExp]> = [
      ['83 61 01 00', /trailing/],
      ['82 61 01', /version/],
      ['83 67 00', /unsupported tag 103/],
      ['83 6c 00000001 61 01 61 02', /improper/],
      ['83 77 01 ff', /UTF-8/],
      ['83 64 0100' + '61'.repeat(256), /255/],
      ['83 6e 02 05 0000', /sign/],
      ['', /truncated/],
    ];
    for (const [input, err] of cases) {
      const r = decodeTerm(hex(input));
      expect(r.ok, input).toBe(false);
      if (!r.ok) expect(r.error).toMatch(err);
    }
  });

  it('decode - refuses huge declared sizes before allocating', () => {
    for (const input of [
      '83 6c ffffffff',
      '83 74 ffffffff',
      '83 69 ffffffff',
      '83 6d ffffffff 00',
      '83 6f ffffffff 00',
    ]) {
      const r = decodeTerm(hex(input));
      expect(r.ok, input).toBe(false);
    }
  });

  it('decode - enforces depth, size and bignum limits', () => {
    let deep: Term = [];
    for (let i = 0; i < 40; i++) deep = tuple(deep);
    const bytes = encodeTerm(deep);
    expect(decodeTerm(bytes).ok).toBe(false);
    expect(decodeTerm(bytes, { maxDepth: 64 }).ok).toBe(true);
    expect(decodeTerm(encodeTerm(Buffer.alloc(100)), { maxBytes: 50 }).ok).toBe(false);
    expect(decodeTerm(encodeTerm(2n ** 1000n)).ok).toBe(false);
    expect(decodeTerm(encodeTerm(2n ** 1000n), { maxBigBytes: 200 }).ok).toBe(true);
    // A nesting far beyond any stack must come back as an error, not a RangeError.
    const abyss = Buffer.alloc(1 + 2 * 100_000 + 1);
    abyss[0] = 131;
    for (let i = 0; i < 100_000; i++) abyss.set([104, 1], 1 + 2 * i); // {{{...}}}
    abyss[abyss.length - 1] = 106;
    expect(decodeTerm(abyss, { maxDepth: 1_000_000, maxBytes: 1e9 }).ok).toBe(false);
  });

  it('decode - never throws on random bytes (fuzz, 20k cases)', () => {
    const rand = rng(42);
    const tags = [70, 97, 98, 99, 100, 104, 105, 106, 107, 108, 109, 110, 111, 115, 116, 118, 119];
    let ok = 0;
    for (let i = 0; i < 20_000; i++) {
      const len = Math.floor(rand() * 64);
      const b = Buffer.alloc(len);
      for (let j = 0; j < len; j++) {
        // Bias towards real tags and small sizes so the fuzz reaches past the first byte.
        const x = rand();
        b[j] =
          x < 0.3
            ? (tags[Math.floor(rand() * tags.length)] as number)
            : x < 0.6
              ? Math.floor(rand() * 4)
              : Math.floor(rand() * 256);
      }
      if (i % 2 === 0 && len > 0) b[0] = 131;
      const r = decodeTerm(b);
      if (r.ok) ok++;
    }
    expect(ok).toBeGreaterThan(0);
  });

  it('decode - never throws on mutations of a valid term (fuzz, 10k cases)', () => {
    const rand = rng(7);
    const base = encodeTerm(sample);
    for (let i = 0; i < 10_000; i++) {
      const b = Buffer.from(base);
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const r = decodeTerm(b.subarray(0, Math.floor(rand() * (b.length + 1))));
      expect(typeof r.ok).toBe('boolean');
    }
  });

  it('decode - returns an error for non-bytes input', () => {
    expect(decodeTerm('nope' as unknown as Uint8Array).ok).toBe(false);
  });
});
