import { WILDCARD } from '../core/index.js';

/** Where and why a pattern failed to parse; the CLI turns it into a usage error. */
export class PatternSyntaxError extends Error {
  override readonly name = 'PatternSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * Parses a subset pattern as the console accepts it (reference §7.4 option 3, fixed per §7.12.6): JSON
 * (`{"operator":"John"}`) or an Elixir map literal (`%{operator: "John"}`, `%{"operator" => "John"}`,
 * `%{intensity: _}`). `_` is the wildcard (any present value); atoms become strings; `nil` is null. The top
 * level must be a map/object.
 */
export function parsePattern(text: string): Record<string, unknown> {
  const p = new Parser(text);
  const value = p.value();
  p.skipWs();
  if (!p.atEnd()) p.fail(`unexpected ${p.peekText()} after the pattern`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PatternSyntaxError('a pattern must be a map such as %{operator: "John"} or {"operator":"John"}', 0);
  }
  return value as Record<string, unknown>;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_?!]*/y;
const NUMBER = /-?(?:0|[1-9][0-9_]*)(?:\.[0-9_]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  fail(msg: string): never {
    throw new PatternSyntaxError(`${msg} at character ${this.i + 1} of ${JSON.stringify(this.s)}`, this.i);
  }

  peekText(): string {
    return this.atEnd() ? 'end of input' : JSON.stringify(this.s.slice(this.i, this.i + 8));
  }

  skipWs(): void {
    while (!this.atEnd() && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private eat(tok: string): boolean {
    this.skipWs();
    if (this.s.startsWith(tok, this.i)) {
      this.i += tok.length;
      return true;
    }
    return false;
  }

  private expect(tok: string): void {
    if (!this.eat(tok)) this.fail(`expected "${tok}" but found ${this.peekText()}`);
  }

  value(): unknown {
    this.skipWs();
    const c = this.s[this.i];
    if (c === undefined) this.fail('expected a value but the pattern ended');
    if (this.s.startsWith('%{', this.i)) {
      this.i += 2;
      return this.mapBody();
    }
    if (c === '{') {
      this.i++;
      return this.mapBody();
    }
    if (c === '[') {
      this.i++;
      return this.listBody();
    }
    if (c === '"' || c === "'") return this.string();
    if (c === ':' && /[A-Za-z_"]/.test(this.s[this.i + 1] ?? '')) {
      this.i++;
      return this.s[this.i] === '"' ? this.string() : this.ident();
    }
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    const word = this.ident();
    switch (word) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'nil':
      case 'null':
        return null;
      case '_':
        return WILDCARD;
      default:
        if (word.startsWith('_')) return WILDCARD; // Elixir's `_name` is a wildcard too
        return this.fail(`unknown word "${word}"; quote strings ("${word}")`);
    }
  }

  private ident(): string {
    IDENT.lastIndex = this.i;
    const m = IDENT.exec(this.s);
    if (!m) this.fail(`unexpected ${this.peekText()}`);
    this.i += m[0].length;
    return m[0];
  }

  private number(): number {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail(`bad number at ${this.peekText()}`);
    this.i += m[0].length;
    return Number(m[0].replace(/_/g, ''));
  }

  private string(): string {
    const quote = this.s[this.i]!;
    let out = '';
    this.i++;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail('unterminated string');
      this.i++;
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          const hex = this.s.slice(this.i, this.i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 4;
          break;
        }
        case undefined:
          this.fail('unterminated string');
        // eslint-disable-next-line no-fallthrough
        default:
          out += e;
      }
    }
  }

  /** `key: value` (keyword), `"key": value` (JSON), `key => value` / `"key" => value` / `:key => value`. */
  private mapBody(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (;;) {
      this.skipWs();
      if (this.eat('}')) return out;
      let key: string;
      const c = this.s[this.i];
      if (c === '"' || c === "'") key = this.string();
      else if (c === ':') {
        this.i++;
        key = this.s[this.i] === '"' ? this.string() : this.ident();
      } else key = this.ident();
      if (!this.eat('=>')) this.expect(':');
      out[key] = this.value();
      if (!this.eat(',')) {
        this.expect('}');
        return out;
      }
    }
  }

  private listBody(): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      this.skipWs();
      if (this.eat(']')) return out;
      out.push(this.value());
      if (!this.eat(',')) {
        this.expect(']');
        return out;
      }
    }
  }
}
