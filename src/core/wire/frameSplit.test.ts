import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGaterError } from '../errors.js';
import { FrameDecoder } from './frame.js';
import { arrayBudget, encodeArrayFrames, encodeItem, encodeList, itemRanges, splitRuns } from './frameSplit.js';

const envelope = { head: '{"sub":"s-☕","events":', tail: '}' };
const replyEnvelope = { head: '{"id":7,"ok":true,"part":', lastHead: '{"id":7,"ok":true,"value":', tail: '}' };
/** Bytes of a frame's envelope around its array: what maxFrameBytes must hold beyond the array. */
const overhead = (env: { head: string; tail: string; lastHead?: string }): number => -arrayBudget(env, 0);

/** Decodes frames as a receiver would (its limit is maxFrameBytes) and returns each frame's JSON size and value. */
function receive(frames: Buffer[], maxFrameBytes: number): { bytes: number; value: Record<string, unknown> }[] {
  const decoder = new FrameDecoder<Record<string, unknown>>(maxFrameBytes);
  return frames.map((f) => {
    const [value] = decoder.push(f);
    expect(decoder.bufferedBytes).toBe(0);
    return { bytes: f.readUInt32BE(0), value: value! };
  });
}

describe('splitRuns', () => {
  it('any sizes that fit one by one: runs cover every index once, in order, each within the budget', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 500 }),
        fc.array(fc.nat({ max: 498 }), { maxLength: 60 }),
        (budget, raw) => {
          const sizes = raw.map((s) => Math.min(s, budget - 2));
          const runs = splitRuns(sizes, budget);
          let next = 0;
          for (const [start, end] of runs) {
            expect(start).toBe(next);
            expect(end).toBeGreaterThan(start);
            const used = 2 + (end - start - 1) + sizes.slice(start, end).reduce((a, b) => a + b, 0);
            expect(used).toBeLessThanOrEqual(budget);
            next = end;
          }
          expect(next).toBe(sizes.length);
          // greedy: a run ends only where the next item would not have fitted
          for (const [start, end] of runs.slice(0, -1)) {
            const withNext = 2 + (end - start) + sizes.slice(start, end + 1).reduce((a, b) => a + b, 0);
            expect(withNext).toBeGreaterThan(budget);
          }
        },
      ),
    );
  });

  it('an item that does not fit alone is refused with payload_too_large naming it', () => {
    const e = (() => {
      try {
        splitRuns([3, 9, 2], 10);
      } catch (err) {
        return err;
      }
    })();
    expect(isGaterError(e, 'payload_too_large')).toBe(true);
    expect((e as { details: unknown }).details).toEqual({ index: 1, bytes: 9, budget: 10 });
    expect(splitRuns([8], 10)).toEqual([[0, 1]]);
  });
});

/** JSON values whose strings hold the characters a scanner could trip on: quotes, backslashes, brackets, commas. */
const tricky = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.stringMatching(/^[",\\[\]{}:a\u00e9\u{1f600}]*$/u),
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(null, true, false),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('itemRanges', () => {
  it('cuts any JSON array text at its top-level commas: each range parses to its item', () => {
    fc.assert(
      fc.property(fc.array(tricky, { maxLength: 20 }), (values) => {
        const json = JSON.stringify(values);
        const items = itemRanges(json).map(([a, b]) => JSON.parse(json.slice(a, b)) as unknown);
        expect(items).toEqual(JSON.parse(json));
      }),
    );
  });
});

describe('encodeList', () => {
  it('one piece when the list fits the budget; one piece per item, cut from the same text, when it does not', () => {
    const values = [{ a: '[,]' }, 'x"y', [1, [2]], null];
    expect(encodeList(values, 1000)).toEqual([{ json: JSON.stringify(values), bytes: 31, bracketed: true }]);
    expect(encodeList(values, 10).map((p) => p.json)).toEqual(values.map((v) => JSON.stringify(v)));
    expect(encodeList([], 10)).toEqual([]);
  });

  it('an item with no JSON form is reported and left out, or thrown without a reporter', () => {
    const bad: number[] = [];
    expect(encodeList([1, 2n, 3], 100, (i) => bad.push(i)).map((p) => p.json)).toEqual(['1', '3']);
    expect(bad).toEqual([1]);
    expect(() => encodeList([1, 2n], 100)).toThrow(/cannot be encoded as JSON/);
  });
});

describe('encodeArrayFrames', () => {
  it('any JSON items under the limit: every frame within maxFrameBytes, the parts joined are the list, in order', () => {
    fc.assert(
      fc.property(
        fc.array(tricky, { maxLength: 40 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.boolean(),
        (values, extra, reply) => {
          const env = reply ? replyEnvelope : envelope;
          const largest = Math.max(0, ...values.map((v) => encodeItem(v).bytes));
          // the smallest frame that still carries the largest item, plus some slack
          const max = largest + 2 + overhead(env) + extra;
          const items = encodeList(values, max - overhead(env) - 2);
          const got = receive(encodeArrayFrames(items, max, env), max);
          for (const g of got) expect(g.bytes).toBeLessThanOrEqual(max);
          const key = reply ? 'part' : 'events';
          got.forEach((g, i) => {
            const last = i === got.length - 1;
            if (reply) expect(Object.keys(g.value)).toEqual(['id', 'ok', last ? 'value' : 'part']);
            else expect(Object.keys(g.value)).toEqual(['sub', 'events']);
          });
          const joined = got.flatMap((g, i) => g.value[reply && i === got.length - 1 ? 'value' : key] as unknown[]);
          expect(joined).toEqual(values.map((v) => JSON.parse(JSON.stringify(v)) as unknown));
          if (values.length > 0)
            for (const g of got) expect((g.value[key] ?? g.value.value) as unknown[]).not.toEqual([]);
        },
      ),
    );
  });

  it('pieces of several lists (pushes of one turn), whole or cut: every frame within the limit, all in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(tricky, { maxLength: 8 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 600 }),
        (lists, extra) => {
          const values = lists.flat();
          const largest = Math.max(0, ...values.map((v) => encodeItem(v).bytes));
          const max = largest + 2 + overhead(envelope) + extra;
          const budget = max - overhead(envelope) - 2;
          const pieces = lists.flatMap((l) => encodeList(l, budget));
          const got = receive(encodeArrayFrames(pieces, max, envelope), max);
          for (const g of got) expect(g.bytes).toBeLessThanOrEqual(max);
          expect(got.flatMap((g) => g.value.events as unknown[])).toEqual(
            values.map((v) => JSON.parse(JSON.stringify(v)) as unknown),
          );
        },
      ),
    );
  });

  it('two 9 MB events make two 16 MiB-bounded frames; an empty list one frame with []', () => {
    const items = ['a', 'b'].map((c) => encodeItem({ c, blob: c.repeat(9_000_000) }));
    const max = 16 * 1024 * 1024;
    const got = receive(encodeArrayFrames(items, max, envelope), max);
    expect(got.map((g) => (g.value.events as { c: string }[]).map((e) => e.c))).toEqual([['a'], ['b']]);
    expect(receive(encodeArrayFrames([], max, replyEnvelope), max).map((g) => g.value)).toEqual([
      { id: 7, ok: true, value: [] },
    ]);
  });

  it('multi-byte UTF-8 is counted in bytes, not characters', () => {
    const items = ['é😀', '𝄞'.repeat(10), '☕☕'].map(encodeItem);
    const max = overhead(envelope) + 2 + items[1]!.bytes; // exactly the largest item alone
    const got = receive(encodeArrayFrames(items, max, envelope), max);
    for (const g of got) expect(g.bytes).toBeLessThanOrEqual(max);
    expect(got.flatMap((g) => g.value.events as string[])).toEqual(['é😀', '𝄞'.repeat(10), '☕☕']);
  });

  it('an item with no JSON form is refused with invalid_argument', () => {
    expect(() => encodeItem(undefined)).toThrow(/cannot be encoded as JSON/);
    expect(() => encodeItem(10n)).toThrow(/cannot be encoded as JSON/);
  });
});
