/**
 * The TS shapes of Erlang terms for the ETF codec in `etf.ts` (see there for the mapping rules).
 */

/** An Erlang atom. Kept as its own class so an atom never gets confused with a binary holding the same text. */
export class Atom {
  constructor(readonly name: string) {}
  toString(): string {
    return this.name;
  }
}

/** An Erlang tuple. */
export class Tuple {
  constructor(readonly elements: readonly Term[]) {}
}

/**
 * An Erlang map as an entry list. Keys may be any term, so a JS `Map` (identity keys) would not find
 * `atom('node')`; lookups compare structurally instead.
 */
export class TermMap {
  constructor(readonly entries: ReadonlyArray<readonly [Term, Term]>) {}

  /** The value under `key` (structural equality), or undefined. */
  get(key: Term): Term | undefined {
    for (const [k, v] of this.entries) if (termEquals(k, key)) return v;
    return undefined;
  }

  get size(): number {
    return this.entries.length;
  }
}

/**
 * An Erlang pid (NEW_PID_EXT). `creation` ties it to one incarnation of `node`: a pid with another creation is
 * a dead process of an earlier run, and messages to it are dropped.
 */
export class Pid {
  constructor(
    readonly node: string,
    readonly id: number,
    readonly serial: number,
    readonly creation: number,
  ) {}
  toString(): string {
    return `<${this.node}.${this.id}.${this.serial}>`;
  }
}

/** An Erlang reference (NEWER_REFERENCE_EXT): up to 5 32-bit words of one node incarnation. */
export class Reference {
  constructor(
    readonly node: string,
    readonly creation: number,
    readonly ids: readonly number[],
  ) {}
  toString(): string {
    return `#Ref<${this.node}.${this.ids.join('.')}>`;
  }
}

/** A list whose tail is not `[]` (`[a, b | c]`). Only the distribution decoder produces one. */
export class ImproperList {
  constructor(
    readonly elements: readonly Term[],
    readonly tail: Term,
  ) {}
}

/**
 * A term this client cannot use but must carry: a fun, an external fun, a port or a bit string. `bytes` is its
 * exact encoding (tag included, no version byte), so encoding it again gives the same bytes.
 */
export class OpaqueTerm {
  constructor(
    readonly kind: 'fun' | 'export' | 'port' | 'bitstring' | 'old_pid' | 'old_ref',
    readonly bytes: Uint8Array,
  ) {}
  toString(): string {
    return `#${this.kind}<${this.bytes.length} bytes>`;
  }
}

/** Any term this codec can carry. */
export type Term =
  number | bigint | Atom | Uint8Array | readonly Term[] | Tuple | TermMap | Pid | Reference | ImproperList | OpaqueTerm;

/** Shorthand constructors. */
export const atom = (name: string): Atom => new Atom(name);
export const tuple = (...elements: Term[]): Tuple => new Tuple(elements);
export const termMap = (entries: ReadonlyArray<readonly [Term, Term]>): TermMap => new TermMap(entries);

/** Structural equality (maps compare order-insensitively; an integer `number` equals the same `bigint`). */
export function termEquals(a: Term, b: Term): boolean {
  if (typeof a === 'number' || typeof a === 'bigint') {
    if (typeof b !== 'number' && typeof b !== 'bigint') return false;
    if (typeof a === typeof b) return a === b;
    const n = typeof a === 'number' ? a : (b as number);
    const big = typeof a === 'bigint' ? a : (b as bigint);
    return Number.isInteger(n) && BigInt(n) === big;
  }
  if (a instanceof Atom) return b instanceof Atom && a.name === b.name;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (a instanceof Tuple) return b instanceof Tuple && listEquals(a.elements, b.elements);
  if (a instanceof TermMap) {
    if (!(b instanceof TermMap) || a.size !== b.size) return false;
    return a.entries.every(([k, v]) => {
      const other = b.get(k);
      return other !== undefined && termEquals(v, other);
    });
  }
  if (a instanceof Pid)
    return b instanceof Pid && a.node === b.node && a.id === b.id && a.serial === b.serial && a.creation === b.creation;
  if (a instanceof Reference)
    return (
      b instanceof Reference &&
      a.node === b.node &&
      a.creation === b.creation &&
      a.ids.length === b.ids.length &&
      a.ids.every((x, i) => x === b.ids[i])
    );
  if (a instanceof ImproperList)
    return b instanceof ImproperList && listEquals(a.elements, b.elements) && termEquals(a.tail, b.tail);
  if (a instanceof OpaqueTerm) return b instanceof OpaqueTerm && Buffer.compare(a.bytes, b.bytes) === 0;
  return Array.isArray(b) && listEquals(a as readonly Term[], b);
}

function listEquals(a: readonly Term[], b: readonly Term[]): boolean {
  return a.length === b.length && a.every((x, i) => termEquals(x, b[i] as Term));
}
