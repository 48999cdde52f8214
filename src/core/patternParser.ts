import { WILDCARD } from './matching.js';

/** A pattern that could not be read; `column` is 1-based. */
export class PatternError extends Error {
  override readonly name = 'PatternError';
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

const HINT = 'write a map such as %{operator: "John"} or JSON such as {"operator":"John"}';

/**
 * Reads a payload pattern typed at the console: JSON, or the reference's Elixir map syntax
 * (`%{operator: "John", temperature: 25, intensity: _}`, `%{intensity: :_}`, `%{"k" => 1}`), with strings,
 * integers, floats, true/false/nil, nested maps and lists. `_` / `:_` become the core wildcard. The braces may
 * omit the `%`, as the console guide writes `{operator: "John"}`. The top level must be a map.
 * The reference evaluated the text as Elixir code (EXESDB_SPEC §7.4 option 3); we parse a small, safe subset.
 */
export function parsePattern(text: string): Record<string, unknown> {
  const p = new Parser(text);
  p.skipSpace();
  if (p.atEnd()) throw new PatternError(`the pattern is empty; ${HINT}`, 1);
  if (!p.peekMapStart()) throw p.error(`a pattern must be a map; ${HINT}`);
  const value = p.value() as Record<string, unknown>;
  p.skipSpace();
  if (!p.atEnd()) throw p.error(`unexpected "${p.rest(12)}" after the pattern`);
  return value;
}

/** parsePattern without throwing, for form validation. */
export function tryParsePattern(
  text: string,
): { ok: true; pattern: Record<string, unknown> } | { ok: false; error: string } {
  try {
    return { ok: true, pattern: parsePattern(text) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*[?!]?/;
const NUMBER = /^-?(?:\d[\d_]*)(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?/;

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  rest(n: number): string {
    return this.s.slice(this.i, this.i + n);
  }

  error(message: string): PatternError {
    return new PatternError(`${message} (at column ${this.i + 1})`, this.i + 1);
  }

  skipSpace(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  peekMapStart(): boolean {
    return this.s.startsWith('%{', this.i) || this.s[this.i] === '{';
  }

  value(): unknown {
    this.skipSpace();
    const c = this.s[this.i];
    if (c === undefined) throw this.error('expected a value but the pattern ended');
    if (this.peekMapStart()) return this.map();
    if (c === '[') return this.list();
    if (c === '"') return this.string();
    if (c === "'") throw this.error('single quotes make an Elixir charlist; use double quotes for strings');
    if (c === ':') return this.atom();
    const num = NUMBER.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return Number(num[0].replace(/_/g, ''));
    }
    const id = IDENT.exec(this.s.slice(this.i));
    if (id) {
      this.i += id[0].length;
      switch (id[0]) {
        case '_':
          return WILDCARD;
        case 'true':
          return true;
        case 'false':
          return false;
        case 'nil':
        case 'null':
          return null;
      }
      throw this.error(`"${id[0]}" is not a value; quote strings ("${id[0]}") and use _ for any value`);
    }
    throw this.error(`unexpected "${this.rest(8)}"`);
  }

  private map(): Record<string, unknown> {
    this.i += this.s[this.i] === '%' ? 2 : 1;
    const out: Record<string, unknown> = {};
    this.skipSpace();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      const key = this.key();
      const v = this.value();
      if (Object.prototype.hasOwnProperty.call(out, key)) throw this.error(`the key "${key}" appears twice`);
      out[key] = v;
      this.skipSpace();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        this.skipSpace();
        if (this.s[this.i] === '}') {
          this.i++;
          return out;
        }
        continue;
      }
      if (c === '}') {
        this.i++;
        return out;
      }
      throw this.error(
        c === undefined ? 'the map is not closed: add "}"' : `expected "," or "}" but found "${this.rest(8)}"`,
      );
    }
  }

  /** `name:`, `"name":`, `"name" =>`, `:name =>`. Returns the key; leaves the cursor at the value. */
  private key(): string {
    this.skipSpace();
    const c = this.s[this.i];
    if (c === '"') {
      const k = this.string();
      this.arrowOrColon(k);
      return k;
    }
    if (c === ':') {
      const k = this.atom();
      this.skipSpace();
      if (!this.s.startsWith('=>', this.i)) throw this.error(`expected "=>" after the key :${k}`);
      this.i += 2;
      return k;
    }
    const id = IDENT.exec(this.s.slice(this.i));
    if (!id)
      throw this.error(
        c === undefined
          ? 'the map is not closed: add "}"'
          : `expected a key such as operator: but found "${this.rest(8)}"`,
      );
    this.i += id[0].length;
    if (this.s[this.i] !== ':') throw this.error(`expected ":" right after the key ${id[0]} (write ${id[0]}: value)`);
    this.i++;
    return id[0];
  }

  private arrowOrColon(k: string): void {
    this.skipSpace();
    if (this.s[this.i] === ':') {
      this.i++;
      return;
    }
    if (this.s.startsWith('=>', this.i)) {
      this.i += 2;
      return;
    }
    throw this.error(`expected ":" or "=>" after the key "${k}"`);
  }

  private atom(): string {
    this.i++; // ':'
    if (this.s[this.i] === '"') return this.string();
    const id = IDENT.exec(this.s.slice(this.i));
    if (!id) throw this.error('expected an atom name after ":"');
    this.i += id[0].length;
    return id[0];
  }

  private list(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.skipSpace();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skipSpace();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return out;
      }
      throw this.error(
        c === undefined ? 'the list is not closed: add "]"' : `expected "," or "]" but found "${this.rest(8)}"`,
      );
    }
  }

  /** A double-quoted string with JSON escapes. */
  private string(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === '\\') {
        this.i += 2;
        continue;
      }
      if (c === '"') {
        this.i++;
        try {
          return JSON.parse(this.s.slice(start, this.i)) as string;
        } catch {
          this.i = start;
          throw this.error('the string has an invalid escape');
        }
      }
      this.i++;
    }
    this.i = start;
    throw this.error('the string is not closed: add a closing "');
  }
}
