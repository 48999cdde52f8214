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

/** Any term this codec can carry. */
export type Term = number | bigint | Atom | Uint8Array | readonly Term[] | Tuple | TermMap;

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
  return Array.isArray(b) && listEquals(a as readonly Term[], b);
}

function listEquals(a: readonly Term[], b: readonly Term[]): boolean {
  return a.length === b.length && a.every((x, i) => termEquals(x, b[i] as Term));
}
