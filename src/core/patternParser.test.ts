import { describe, expect, it } from 'vitest';
import { subsetMatch } from './matching.js';
import { parsePattern, PatternError, tryParsePattern } from './patternParser.js';

describe('parsePattern', () => {
  it('reads the reference examples in Elixir map syntax', () => {
    expect(parsePattern('%{operator: "John"}')).toEqual({ operator: 'John' });
    expect(parsePattern('%{temperature: 25}')).toEqual({ temperature: 25 });
    expect(parsePattern('%{intensity: _}')).toEqual({ intensity: '_' });
    expect(parsePattern('%{intensity: :_}')).toEqual({ intensity: '_' });
  });

  it('reads the console guide form without %', () => {
    expect(parsePattern('{operator: "John"}')).toEqual({ operator: 'John' });
  });

  it('reads JSON', () => {
    expect(parsePattern('{"operator":"John","temperature":20.5,"on":true,"x":null,"l":[1,"a"]}')).toEqual({
      operator: 'John',
      temperature: 20.5,
      on: true,
      x: null,
      l: [1, 'a'],
    });
  });

  it('reads floats, negatives, booleans, nil, nested maps, lists, => keys and atom values', () => {
    expect(
      parsePattern(
        '%{t: -1.5, big: 1_000, ok: false, n: nil, inner: %{a: [1, 2.0, "x", %{b: _}]}, "k s" => 1, :at => :john,}',
      ),
    ).toEqual({ t: -1.5, big: 1000, ok: false, n: null, inner: { a: [1, 2, 'x', { b: '_' }] }, 'k s': 1, at: 'john' });
    expect(parsePattern('%{}')).toEqual({});
    expect(parsePattern('  %{ msg: "say \\"hi\\"" }  ')).toEqual({ msg: 'say "hi"' });
  });

  it('a parsed wildcard matches any present value through the core subset match', () => {
    const p = parsePattern('%{operator: "John", temperature: _}');
    expect(subsetMatch(p, { operator: 'John', temperature: 30 })).toBe(true);
    expect(subsetMatch(p, { operator: 'John' })).toBe(false);
    expect(subsetMatch(p, { operator: 'Paul', temperature: 30 })).toBe(false);
  });

  it.each([
    ['', /empty/],
    ['operator: "John"', /must be a map/],
    ['"John"', /must be a map/],
    ['%{operator: John}', /"John" is not a value; quote strings/],
    ['%{operator "John"}', /expected ":" right after the key operator/],
    ['%{operator: "John"', /not closed: add "}"/],
    ['%{operator: "John}', /string is not closed/],
    ['%{a: 1 b: 2}', /expected "," or "}"/],
    ['%{a: [1, 2}', /expected "," or "]"/],
    ["%{a: 'x'}", /charlist/],
    ['%{a: 1, a: 2}', /appears twice/],
    ['%{a: 1} extra', /unexpected "extra" after the pattern/],
    ['%{:a => }', /expected a value|unexpected/],
  ])('rejects %j with a clear message', (text, message) => {
    expect(() => parsePattern(text)).toThrow(PatternError);
    expect(() => parsePattern(text)).toThrow(message);
  });

  it('tryParsePattern reports errors as values with the column', () => {
    expect(tryParsePattern('%{a: }')).toEqual({ ok: false, error: expect.stringMatching(/column 6/) });
    expect(tryParsePattern('%{a: 1}')).toEqual({ ok: true, pattern: { a: 1 } });
  });
});
