import fc from 'fast-check';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  ImproperList,
  OpaqueTerm,
  Pid,
  Reference,
  atom,
  decodeTerm,
  decodeTermAt,
  encodeTerm,
  termEquals,
  termMap,
  tuple,
  type Term,
} from './etf.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const DIST = { distribution: true, maxDepth: 64, maxBigBytes: 1024 } as const;

const nodeName = fc.constantFrom('a@127.0.0.1', 'ex_esdb@node0', 'ü@höst');
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });

/** Every kind the gater API's terms use, nested. Floats are non-integral: JS cannot tell 1.0 from 1. */
const { term } = fc.letrec<{ term: Term; leaf: Term }>((tie) => ({
  leaf: fc.oneof(
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
    fc.string({ unit: 'grapheme', maxLength: 20 }).map(atom),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
    fc.tuple(nodeName, u32, u32, u32).map(([n, id, serial, creation]) => new Pid(n, id, serial, creation)),
    fc
      .tuple(nodeName, u32, fc.array(u32, { minLength: 1, maxLength: 5 }))
      .map(([n, creation, ids]) => new Reference(n, creation, ids)),
  ),
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.array(tie('term'), { maxLength: 5 }),
    fc.array(tie('term'), { maxLength: 5 }).map((e) => tuple(...e)),
    fc
      .tuple(fc.array(tie('term'), { minLength: 1, maxLength: 4 }), tie('leaf'))
      .map(([e, tail]) => new ImproperList(e, tail)),
    fc
      .uniqueArray(fc.tuple(tie('leaf'), tie('term')), {
        maxLength: 5,
        selector: ([k]) => encodeTerm(k).toString('hex'),
      })
      .map((entries) => termMap(entries)),
  ),
}));

describe('etf distribution kinds', () => {
  it('round-trip - every generated term decodes to an equal term (property)', () => {
    fc.assert(
      fc.property(term, (t) => {
        const r = decodeTerm(encodeTerm(t), DIST);
        if (!r.ok) throw new Error(r.error);
        return termEquals(r.term, t);
      }),
      { numRuns: 400 },
    );
  });

  it('round-trip - encoding the decoded term gives the same bytes (property)', () => {
    fc.assert(
      fc.property(term, (t) => {
        const bytes = encodeTerm(t);
        const r = decodeTerm(bytes, DIST);
        return r.ok && Buffer.compare(encodeTerm(r.term), bytes) === 0;
      }),
      // A byte held as a bigint once went out as LIST_EXT but came back as a number and went out as STRING_EXT.
      { numRuns: 300, examples: [[tuple([[0n]])], [[0n, 255n]]] },
    );
  });

  it('decodeTermAt - reads two concatenated terms, as a distribution packet holds them', () => {
    fc.assert(
      fc.property(term, term, (a, b) => {
        const packet = Buffer.concat([encodeTerm(a), encodeTerm(b)]);
        const first = decodeTermAt(packet, 0, DIST);
        if (!first.ok) return false;
        const second = decodeTermAt(packet, first.end, DIST);
        return second.ok && second.end === packet.length && termEquals(first.term, a) && termEquals(second.term, b);
      }),
      { numRuns: 200 },
    );
  });

  it('decode - a prefix of any term at any offset is an error, never a throw (property)', () => {
    fc.assert(
      fc.property(term, fc.nat(), (t, cut) => {
        const bytes = encodeTerm(t);
        const r = decodeTerm(bytes.subarray(0, cut % bytes.length), DIST);
        return r.ok === false;
      }),
      { numRuns: 300 },
    );
  });

  it('decode - pids, references and improper lists stay refused without the distribution option', () => {
    expect(decodeTerm(encodeTerm(new Pid('a@b', 1, 0, 7))).ok).toBe(false);
    expect(decodeTerm(encodeTerm(new Reference('a@b', 7, [1, 2, 3]))).ok).toBe(false);
    expect(decodeTerm(encodeTerm(new ImproperList([1], 2))).ok).toBe(false);
  });

  it('encode - NEW_PID_EXT and NEWER_REFERENCE_EXT bytes as the distribution guide lays them out', () => {
    expect(encodeTerm(new Pid('a@b', 0x58, 0, 0x1234abcd))).toEqual(
      hex('83 58 77 03 614062 00000058 00000000 1234abcd'),
    );
    expect(encodeTerm(new Reference('a@b', 1, [1, 2, 3]))).toEqual(
      hex('83 5a 0003 77 03 614062 00000001 00000001 00000002 00000003'),
    );
    expect(encodeTerm(new ImproperList([1], atom('t')))).toEqual(hex('83 6c 00000001 61 01 77 01 74'));
  });

  it('decode - old pid/reference forms, ports, funs, exports and bit strings', () => {
    // PID_EXT with an ATOM_EXT node and a 1-byte creation
    const oldPid = decodeTerm(hex('83 67 64 0003 614062 00000005 00000000 02'), DIST);
    expect(oldPid.ok && termEquals(oldPid.term, new Pid('a@b', 5, 0, 2))).toBe(true);
    const newRef = decodeTerm(hex('83 72 0001 64 0003 614062 03 00000009'), DIST);
    expect(newRef.ok && termEquals(newRef.term, new Reference('a@b', 3, [9]))).toBe(true);
    for (const [input, kind] of [
      ['83 59 77 03 614062 00000001 00000002', 'port'],
      ['83 78 77 03 614062 0000000000000001 00000002', 'port'],
      ['83 4d 00000001 03 e0', 'bitstring'],
      ['83 71 77 01 6d 77 01 66 61 02', 'export'],
      ['83 70 00000008 01020304', 'fun'],
    ] as const) {
      const r = decodeTerm(hex(input), DIST);
      expect(r.ok && r.term instanceof OpaqueTerm && r.term.kind, input).toBe(kind);
      // carried as the exact bytes: encoding it again reproduces the input
      if (r.ok) expect(encodeTerm(r.term)).toEqual(hex(input));
    }
    for (const bad of ['83 4d 00000001 00 e0', '83 70 00000002', '83 5a 0006 77 01 61 00000001']) {
      expect(decodeTerm(hex(bad), DIST).ok, bad).toBe(false);
    }
  });

  it('decode - compressed terms, with the declared size checked against limits', () => {
    const inner = encodeTerm(termMap([[atom('data'), Buffer.alloc(5000, 7)]])).subarray(1);
    const packed = Buffer.alloc(6);
    packed[0] = 131;
    packed[1] = 80;
    packed.writeUInt32BE(inner.length, 2);
    const compressed = Buffer.concat([packed, deflateSync(inner)]);
    const r = decodeTerm(compressed, DIST);
    expect(r.ok && termEquals(r.term, termMap([[atom('data'), Buffer.alloc(5000, 7)]]))).toBe(true);
    expect(decodeTerm(compressed, { ...DIST, maxBytes: 1000 }).ok).toBe(false);
    const lying = Buffer.from(compressed);
    lying.writeUInt32BE(10, 2);
    expect(decodeTerm(lying, DIST).ok).toBe(false);
    expect(decodeTerm(compressed).ok).toBe(false);
  });

  it('decode - never throws on mutations of a distribution term (fuzz)', () => {
    const base = encodeTerm(
      tuple(new Pid('a@b', 1, 2, 3), new Reference('a@b', 3, [1, 2, 3]), new ImproperList([1, 2], atom('x'))),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (flips) => {
        const b = Buffer.from(base);
        for (const [at, v] of flips) b[at % b.length] = v;
        return typeof decodeTerm(b, DIST).ok === 'boolean';
      }),
      { numRuns: 2000 },
    );
  });
});
