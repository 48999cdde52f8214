/**
 * A small Erlang External Term Format (ETF) codec: exactly the term kinds gossip heartbeats carry, plus the
 * common scalar/container kinds so we can round-trip what `term_to_binary/1` produces on OTP 25+.
 *
 * TS representation of terms:
 * - integers: `number` when they fit a safe integer, `bigint` otherwise (decode normalises to that rule);
 * - floats: `number` (a non-integral or unsafe number encodes as NEW_FLOAT_EXT; JS cannot express `1.0`);
 * - atoms: {@link Atom} (distinct from binaries; `true`/`false`/`nil` are atoms too);
 * - binaries: `Uint8Array` (decoded as a copied `Buffer`);
 * - proper lists: arrays (STRING_EXT decodes to an array of byte values, as Erlang means it);
 * - tuples: {@link Tuple}; maps: {@link TermMap} (entry list: keys are terms, compared structurally).
 *
 * - pids, references: {@link Pid}, {@link Reference}; improper lists: {@link ImproperList};
 * - funs, external funs, ports, bit strings: {@link OpaqueTerm} (carried as their exact bytes, never interpreted).
 *
 * The process kinds (pids, refs, ports, funs, bit strings, improper lists) and compressed terms are decoded only
 * with `distribution: true` (the Erlang distribution client). Gossip heartbeats never carry them, and for a
 * decoder fed by anyone on the network every extra kind is more hostile-input surface.
 */
import { inflateSync } from 'node:zlib';
import { GaterError } from '../errors.js';
import { Atom, ImproperList, OpaqueTerm, Pid, Reference, TermMap, Tuple, type Term } from './etfTerm.js';

export {
  Atom,
  ImproperList,
  OpaqueTerm,
  Pid,
  Reference,
  TermMap,
  Tuple,
  atom,
  termEquals,
  termMap,
  tuple,
  type Term,
} from './etfTerm.js';

/**
 * Tag bytes from the ETF spec. Erlang owns these numbers; this table is append-only, never renumber an entry.
 */
export const ETF_TAG = {
  VERSION: 131,
  NEW_FLOAT: 70,
  SMALL_INTEGER: 97,
  INTEGER: 98,
  FLOAT: 99,
  ATOM: 100,
  SMALL_TUPLE: 104,
  LARGE_TUPLE: 105,
  NIL: 106,
  STRING: 107,
  LIST: 108,
  BINARY: 109,
  SMALL_BIG: 110,
  LARGE_BIG: 111,
  SMALL_ATOM: 115,
  MAP: 116,
  ATOM_UTF8: 118,
  SMALL_ATOM_UTF8: 119,
  BIT_BINARY: 77,
  COMPRESSED: 80,
  NEW_PID: 88,
  NEW_PORT: 89,
  NEWER_REFERENCE: 90,
  REFERENCE: 101,
  PORT: 102,
  PID: 103,
  NEW_FUN: 112,
  EXPORT: 113,
  NEW_REFERENCE: 114,
  V4_PORT: 120,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Encoding

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Guards against cyclic arrays: a heartbeat is two levels deep, nothing legitimate comes close. */
const MAX_ENCODE_DEPTH = 64;

/** Growable byte sink; big-endian multi-byte writes as ETF requires. */
class Writer {
  private buf = Buffer.allocUnsafe(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.len++] = v;
  }
  u16(v: number): void {
    this.reserve(2);
    this.len = this.buf.writeUInt16BE(v, this.len);
  }
  u32(v: number): void {
    this.reserve(4);
    this.len = this.buf.writeUInt32BE(v, this.len);
  }
  i32(v: number): void {
    this.reserve(4);
    this.len = this.buf.writeInt32BE(v, this.len);
  }
  f64(v: number): void {
    this.reserve(8);
    this.len = this.buf.writeDoubleBE(v, this.len);
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

/** The encoder throws only for terms Erlang cannot represent: that is a caller bug, not hostile input. */
function unencodable(message: string): GaterError {
  return new GaterError('invalid_argument', `etf: ${message}`);
}

/**
 * Encodes a term as `term_to_binary/1` would (version byte 131, uncompressed). Integers use the smallest
 * Erlang encoding, lists of bytes become STRING_EXT, atoms are always UTF-8 (119/118, readable by OTP ≥ 20).
 * @throws GaterError `invalid_argument` for NaN/Infinity, atoms over 255 characters, cycles or unknown values.
 */
export function encodeTerm(term: Term): Buffer {
  const w = new Writer();
  w.u8(ETF_TAG.VERSION);
  writeTerm(w, term, 0);
  return w.result();
}

function writeTerm(w: Writer, t: Term, depth: number): void {
  if (depth > MAX_ENCODE_DEPTH) throw unencodable('term nested too deeply (cycle?)');
  if (typeof t === 'number') return writeNumber(w, t);
  if (typeof t === 'bigint') return writeInteger(w, t);
  if (t instanceof Atom) return writeAtom(w, t.name);
  if (t instanceof Uint8Array) {
    w.u8(ETF_TAG.BINARY);
    w.u32(t.length);
    return w.bytes(t);
  }
  if (t instanceof Tuple) {
    const n = t.elements.length;
    if (n <= 255) {
      w.u8(ETF_TAG.SMALL_TUPLE);
      w.u8(n);
    } else {
      w.u8(ETF_TAG.LARGE_TUPLE);
      w.u32(n);
    }
    for (const e of t.elements) writeTerm(w, e, depth + 1);
    return;
  }
  if (t instanceof TermMap) {
    w.u8(ETF_TAG.MAP);
    w.u32(t.entries.length);
    for (const [k, v] of t.entries) {
      writeTerm(w, k, depth + 1);
      writeTerm(w, v, depth + 1);
    }
    return;
  }
  if (Array.isArray(t)) return writeList(w, t as readonly Term[], depth);
  if (t instanceof Pid) {
    w.u8(ETF_TAG.NEW_PID);
    writeAtom(w, t.node);
    w.u32(t.id);
    w.u32(t.serial);
    return w.u32(t.creation);
  }
  if (t instanceof Reference) {
    if (t.ids.length < 1 || t.ids.length > 5) throw unencodable(`a reference has 1-5 words, got ${t.ids.length}`);
    w.u8(ETF_TAG.NEWER_REFERENCE);
    w.u16(t.ids.length);
    writeAtom(w, t.node);
    w.u32(t.creation);
    for (const id of t.ids) w.u32(id);
    return;
  }
  if (t instanceof ImproperList) {
    if (Array.isArray(t.tail)) throw unencodable('an improper list needs a tail that is not a list');
    w.u8(ETF_TAG.LIST);
    w.u32(t.elements.length);
    for (const e of t.elements) writeTerm(w, e, depth + 1);
    return writeTerm(w, t.tail, depth + 1);
  }
  if (t instanceof OpaqueTerm) return w.bytes(t.bytes);
  throw unencodable(`cannot encode ${Object.prototype.toString.call(t)}`);
}

function writeNumber(w: Writer, n: number): void {
  if (Number.isSafeInteger(n)) return writeInteger(w, BigInt(n));
  if (!Number.isFinite(n)) throw unencodable(`Erlang has no float ${n}`);
  w.u8(ETF_TAG.NEW_FLOAT);
  w.f64(n);
}

function writeInteger(w: Writer, v: bigint): void {
  if (v >= 0n && v <= 255n) {
    w.u8(ETF_TAG.SMALL_INTEGER);
    return w.u8(Number(v));
  }
  if (v >= BigInt(INT32_MIN) && v <= BigInt(INT32_MAX)) {
    w.u8(ETF_TAG.INTEGER);
    return w.i32(Number(v));
  }
  // Bignums are little-endian magnitude bytes plus a sign byte.
  const digits: number[] = [];
  for (let m = v < 0n ? -v : v; m > 0n; m >>= 8n) digits.push(Number(m & 0xffn));
  if (digits.length <= 255) {
    w.u8(ETF_TAG.SMALL_BIG);
    w.u8(digits.length);
  } else {
    w.u8(ETF_TAG.LARGE_BIG);
    w.u32(digits.length);
  }
  w.u8(v < 0n ? 1 : 0);
  w.bytes(Uint8Array.from(digits));
}

function writeAtom(w: Writer, name: string): void {
  if ([...name].length > 255) throw unencodable('atom longer than 255 characters');
  const b = Buffer.from(name, 'utf8');
  if (b.length <= 255) {
    w.u8(ETF_TAG.SMALL_ATOM_UTF8);
    w.u8(b.length);
  } else {
    w.u8(ETF_TAG.ATOM_UTF8);
    w.u16(b.length);
  }
  w.bytes(b);
}

const isByte = (x: Term): boolean =>
  (typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255) ||
  (typeof x === 'bigint' && x >= 0n && x <= 255n);

function writeList(w: Writer, list: readonly Term[], depth: number): void {
  if (list.length === 0) return w.u8(ETF_TAG.NIL);
  // Erlang sends short lists of bytes as STRING_EXT; doing the same keeps our bytes identical to term_to_binary.
  // A byte held as a bigint is the same Erlang integer, so it counts too (else [0n] and [0] would differ on the wire).
  if (list.length <= 0xffff && list.every(isByte)) {
    w.u8(ETF_TAG.STRING);
    w.u16(list.length);
    return w.bytes(Uint8Array.from(list as (number | bigint)[], Number));
  }
  w.u8(ETF_TAG.LIST);
  w.u32(list.length);
  for (const e of list) writeTerm(w, e, depth + 1);
  w.u8(ETF_TAG.NIL);
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/** Bounds on what the decoder accepts; every one keeps hostile input from costing memory or stack. */
export interface DecodeLimits {
  /** Deepest container nesting accepted. Default 32 (a heartbeat needs 2). */
  maxDepth?: number;
  /** Largest input accepted, in bytes. Default 1 MiB (a UDP datagram is at most 64 KiB). */
  maxBytes?: number;
  /** Largest bignum accepted, in magnitude bytes. Default 64 (512 bits). */
  maxBigBytes?: number;
  /**
   * Also decode what only Erlang distribution carries: pids, references, ports, funs, bit strings, improper
   * lists and compressed terms. Default false.
   */
  distribution?: boolean;
}

/** The decoder's answer: never an exception. `offset` is where decoding gave up. */
export type DecodeResult = { ok: true; term: Term } | { ok: false; error: string; offset: number };

/** Thrown inside the decoder only; the public function turns it into `{ ok: false }`. */
class DecodeFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** True ISO-8859-1 (TextDecoder's 'latin1' is really windows-1252). */
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly b: Uint8Array,
    readonly maxDepth: number,
    readonly maxBigBytes: number,
    readonly distribution = false,
    readonly maxBytes = Infinity,
  ) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  fail(message: string, at = this.pos): never {
    throw new DecodeFailure(message, at);
  }
  get remaining(): number {
    return this.b.length - this.pos;
  }
  need(n: number): void {
    if (n > this.remaining) this.fail(`truncated: need ${n} bytes, have ${this.remaining}`);
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }
  /** Bytes already read from `from` to the current position (for opaque terms). */
  since(from: number): Uint8Array {
    return Buffer.from(this.b.subarray(from, this.pos));
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** A count of elements that each take at least `minBytes`: refuse it before allocating anything. */
  count(n: number, minBytes: number): number {
    if (n * minBytes > this.remaining) this.fail(`truncated: ${n} elements cannot fit in ${this.remaining} bytes`);
    return n;
  }
}

/**
 * Decodes one complete term (`binary_to_term/1` framing: version byte 131, no trailing bytes).
 * Never throws: truncated, unknown, oversized or over-deep input yields `{ ok: false, error, offset }`.
 */
export function decodeTerm(bytes: Uint8Array, limits: DecodeLimits = {}): DecodeResult {
  const r = decodeTermAt(bytes, 0, limits);
  if (!r.ok) return r;
  if (r.end !== bytes.length) return { ok: false, error: `${bytes.length - r.end} trailing bytes`, offset: r.end };
  return { ok: true, term: r.term };
}

/** One decoded term and where it ended, or why decoding failed. */
export type DecodeAtResult = { ok: true; term: Term; end: number } | { ok: false; error: string; offset: number };

/**
 * Decodes one term that starts (with its version byte 131) at `offset` and may be followed by more bytes, as in
 * a distribution packet (control term, then message term). Never throws.
 */
export function decodeTermAt(bytes: Uint8Array, offset: number, limits: DecodeLimits = {}): DecodeAtResult {
  const { maxDepth = 32, maxBytes = 1024 * 1024, maxBigBytes = 64, distribution = false } = limits;
  try {
    if (!(bytes instanceof Uint8Array)) return { ok: false, error: 'input is not bytes', offset: 0 };
    if (bytes.length > maxBytes) return { ok: false, error: `input larger than ${maxBytes} bytes`, offset: 0 };
    const r = new Reader(bytes, maxDepth, maxBigBytes, distribution, maxBytes);
    r.pos = offset;
    const version = r.u8();
    if (version !== ETF_TAG.VERSION) r.fail(`bad version byte ${version}`, offset);
    if (distribution && r.remaining > 0 && bytes[r.pos] === ETF_TAG.COMPRESSED) {
      return { ok: true, term: readCompressed(r), end: bytes.length };
    }
    const term = readTerm(r, 0);
    return { ok: true, term, end: r.pos };
  } catch (e) {
    if (e instanceof DecodeFailure) return { ok: false, error: e.message, offset: e.offset };
    // A bug or an engine limit (e.g. RangeError) still must not escape: gossip feeds this untrusted bytes.
    return { ok: false, error: `decoder error: ${e instanceof Error ? e.message : String(e)}`, offset: -1 };
  }
}

/** `131, 80, Size:32, zlib(term without version byte)`: a compressed term takes the rest of the input. */
function readCompressed(r: Reader): Term {
  const at = r.pos;
  r.u8();
  const size = r.u32();
  if (size > r.maxBytes) r.fail(`compressed term of ${size} bytes exceeds ${r.maxBytes}`, at);
  let plain: Buffer;
  try {
    plain = inflateSync(r.bytes(r.remaining), { maxOutputLength: Math.max(size, 1) });
  } catch {
    return r.fail('bad zlib data in compressed term', at);
  }
  if (plain.length !== size) r.fail(`compressed term inflates to ${plain.length} bytes, header says ${size}`, at);
  const inner = new Reader(plain, r.maxDepth, r.maxBigBytes, true, r.maxBytes);
  const term = readTerm(inner, 0);
  if (inner.remaining !== 0) inner.fail(`${inner.remaining} trailing bytes in compressed term`);
  return term;
}

function readTerm(r: Reader, depth: number): Term {
  if (depth > r.maxDepth) r.fail(`nested deeper than ${r.maxDepth}`);
  const at = r.pos;
  const tag = r.u8();
  switch (tag) {
    case ETF_TAG.SMALL_INTEGER:
      return r.u8();
    case ETF_TAG.INTEGER:
      return r.i32();
    case ETF_TAG.NEW_FLOAT:
      return r.f64();
    case ETF_TAG.FLOAT: {
      // Pre-R11 float: 31 bytes of "%.20e" text, NUL padded.
      const v = Number.parseFloat(latin1(r.bytes(31)).replace(/\0+$/, ''));
      return Number.isFinite(v) ? v : r.fail('bad FLOAT_EXT text', at);
    }
    case ETF_TAG.ATOM:
      return readAtom(r, r.u16(), false);
    case ETF_TAG.SMALL_ATOM:
      return readAtom(r, r.u8(), false);
    case ETF_TAG.ATOM_UTF8:
      return readAtom(r, r.u16(), true);
    case ETF_TAG.SMALL_ATOM_UTF8:
      return readAtom(r, r.u8(), true);
    case ETF_TAG.SMALL_TUPLE:
      return new Tuple(readElements(r, r.count(r.u8(), 1), depth));
    case ETF_TAG.LARGE_TUPLE:
      return new Tuple(readElements(r, r.count(r.u32(), 1), depth));
    case ETF_TAG.NIL:
      return [];
    case ETF_TAG.STRING:
      return Array.from(r.bytes(r.u16()));
    case ETF_TAG.LIST: {
      // Each element takes at least one byte, and so does the tail.
      const elements = readElements(r, r.count(r.u32() + 1, 1) - 1, depth);
      const tail = readTerm(r, depth + 1);
      if (!Array.isArray(tail)) {
        if (!r.distribution) r.fail('improper lists are not supported', at);
        return new ImproperList(elements, tail);
      }
      return tail.length === 0 ? elements : [...elements, ...(tail as readonly Term[])];
    }
    case ETF_TAG.BINARY:
      return Buffer.from(r.bytes(r.u32()));
    case ETF_TAG.SMALL_BIG:
      return readBig(r, r.u8());
    case ETF_TAG.LARGE_BIG:
      return readBig(r, r.u32());
    case ETF_TAG.MAP: {
      const n = r.count(r.u32(), 2);
      const entries: Array<readonly [Term, Term]> = [];
      for (let i = 0; i < n; i++) entries.push([readTerm(r, depth + 1), readTerm(r, depth + 1)]);
      return new TermMap(entries);
    }
    default:
      if (r.distribution) return readProcessTerm(r, tag, at, depth);
      return r.fail(`unsupported tag ${tag}`, at);
  }
}

/** The kinds only distribution carries (see DecodeLimits.distribution). */
function readProcessTerm(r: Reader, tag: number, at: number, depth: number): Term {
  switch (tag) {
    case ETF_TAG.NEW_PID:
      return new Pid(readNodeAtom(r), r.u32(), r.u32(), r.u32());
    case ETF_TAG.PID:
      return new Pid(readNodeAtom(r), r.u32(), r.u32(), r.u8());
    case ETF_TAG.NEWER_REFERENCE:
    case ETF_TAG.NEW_REFERENCE: {
      const len = r.u16();
      if (len < 1 || len > 5) r.fail(`reference of ${len} words`, at);
      const node = readNodeAtom(r);
      const creation = tag === ETF_TAG.NEWER_REFERENCE ? r.u32() : r.u8();
      const ids: number[] = [];
      for (let i = 0; i < len; i++) ids.push(r.u32());
      return new Reference(node, creation, ids);
    }
    case ETF_TAG.REFERENCE: {
      const node = readNodeAtom(r);
      const id = r.u32();
      return new Reference(node, r.u8(), [id]);
    }
    case ETF_TAG.NEW_PORT:
    case ETF_TAG.V4_PORT:
    case ETF_TAG.PORT:
      readNodeAtom(r);
      r.bytes(tag === ETF_TAG.V4_PORT ? 8 : 4);
      r.bytes(tag === ETF_TAG.PORT ? 1 : 4);
      return new OpaqueTerm('port', r.since(at));
    case ETF_TAG.BIT_BINARY: {
      const len = r.u32();
      const bits = r.u8();
      if (bits < 1 || bits > 8 || len === 0) r.fail(`bad bit string (${len} bytes, ${bits} bits)`, at);
      r.bytes(len);
      return new OpaqueTerm('bitstring', r.since(at));
    }
    case ETF_TAG.NEW_FUN: {
      // Size counts itself and everything after the tag.
      const size = r.u32();
      if (size < 4) r.fail(`bad fun size ${size}`, at);
      r.bytes(size - 4);
      return new OpaqueTerm('fun', r.since(at));
    }
    case ETF_TAG.EXPORT:
      for (let i = 0; i < 3; i++) readTerm(r, depth + 1);
      return new OpaqueTerm('export', r.since(at));
    default:
      return r.fail(`unsupported tag ${tag}`, at);
  }
}

function readNodeAtom(r: Reader): string {
  const at = r.pos;
  const tag = r.u8();
  if (tag === ETF_TAG.SMALL_ATOM_UTF8 || tag === ETF_TAG.SMALL_ATOM) return readAtom(r, r.u8(), tag === 119).name;
  if (tag === ETF_TAG.ATOM_UTF8 || tag === ETF_TAG.ATOM) return readAtom(r, r.u16(), tag === 118).name;
  return r.fail(`node name is not an atom (tag ${tag})`, at);
}

function readElements(r: Reader, n: number, depth: number): Term[] {
  const out: Term[] = [];
  for (let i = 0; i < n; i++) out.push(readTerm(r, depth + 1));
  return out;
}

function readAtom(r: Reader, len: number, isUtf8: boolean): Atom {
  const at = r.pos;
  const raw = r.bytes(len);
  let name: string;
  try {
    name = isUtf8 ? utf8.decode(raw) : latin1(raw);
  } catch {
    return r.fail('atom is not valid UTF-8', at);
  }
  // Erlang caps atoms at 255 characters; more means a forged or corrupt term.
  if (len > 255 && [...name].length > 255) r.fail('atom longer than 255 characters', at);
  return new Atom(name);
}

function readBig(r: Reader, n: number): number | bigint {
  if (n > r.maxBigBytes) r.fail(`bignum of ${n} bytes exceeds ${r.maxBigBytes}`);
  const sign = r.u8();
  if (sign > 1) r.fail(`bad bignum sign ${sign}`);
  const digits = r.bytes(n);
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(digits[i] as number);
  if (sign === 1) v = -v;
  // Same rule as the encoder's input: safe integers are plain numbers.
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
