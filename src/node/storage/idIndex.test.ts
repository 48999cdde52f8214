import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IdIndex } from './idIndex.js';

/** An index over a growing list of ids, as the memory adapter keeps its log. */
function indexed(hash?: (id: string) => number) {
  const ids: string[] = [];
  const index = new IdIndex((p) => ids[p]!, hash);
  const add = (id: string) => {
    index.add(id, ids.length);
    ids.push(id);
  };
  return { ids, index, add };
}

describe('IdIndex', () => {
  it('finds every stored id at its position and nothing else, as a Map would', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 30 }), { maxLength: 3000 }),
        fc.array(fc.string()),
        (ids, others) => {
          const { index, add } = indexed();
          const map = new Map<string, number>();
          ids.forEach((id, i) => {
            add(id);
            map.set(id, i);
          });
          expect(index.size).toBe(ids.length);
          for (const id of [...ids, ...others]) expect(index.find(id)).toBe(map.get(id) ?? -1);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('keeps working when every id hashes alike (a flood of chosen collisions moves it to a Map)', () => {
    const { index, add } = indexed(() => 7);
    // decreasing ids all go to the hashed table (only increasing ones extend the sorted run)
    const id = (i: number) => `id-${String(1000 - i).padStart(4, '0')}`;
    for (let i = 0; i < 500; i++) add(id(i));
    expect(index.size).toBe(500);
    for (let i = 0; i < 500; i++) expect(index.find(id(i))).toBe(i);
    expect(index.find(id(500))).toBe(-1);
    add(id(500));
    expect(index.find(id(500))).toBe(500);
  });

  it('finds ids from the sorted run and the table alike when increasing ids are mixed with others', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 2000 }), fc.integer(), (mix, seed) => {
        const { ids, index, add } = indexed();
        let up = 0;
        let r = seed;
        for (const increasing of mix) {
          r = (Math.imul(r, 1103515245) + 12345) | 0;
          const id = increasing ? `u${String(up++).padStart(6, '0')}` : `a${(r >>> 0).toString(36)}`;
          if (index.find(id) < 0) add(id);
        }
        ids.forEach((id, i) => expect(index.find(id)).toBe(i));
        expect(index.find(`u${String(up).padStart(6, '0')}`)).toBe(-1);
        expect(index.find('a-none')).toBe(-1);
      }),
      { numRuns: 40 },
    );
  });

  it('grows past many doublings without losing an id', () => {
    const { index, add } = indexed();
    for (let i = 0; i < 100_000; i++) add(`e${i}`);
    for (let i = 0; i < 100_000; i += 97) expect(index.find(`e${i}`)).toBe(i);
    expect(index.find('e100000')).toBe(-1);
  });
});
