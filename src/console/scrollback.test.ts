import { describe, expect, it } from 'vitest';
import type { FeedLine } from './feed.js';
import { mergeHeld, moveBy, selectIndex, selectedLine, startScroll, windowOf } from './scrollback.js';

const lines = (from: number, to: number): FeedLine[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, kind: 'seen', text: `line ${from + i}` }));
const seqs = (ls: readonly FeedLine[]) => ls.map((l) => l.seq);

describe('scrollback over a live buffer', () => {
  it('starts at the newest line and moves up without moving the window until the selection leaves it', () => {
    const live = lines(1, 20);
    const s0 = startScroll(live, 5, 20)!;
    expect(windowOf(live, s0, 5)).toEqual({ shown: live.slice(15), selected: 4 });
    const s1 = moveBy(live, s0, 5, -3);
    expect(seqs(windowOf(live, s1, 5).shown)).toEqual([16, 17, 18, 19, 20]);
    expect(selectedLine(live, s1)?.seq).toBe(17);
    const s2 = moveBy(live, s1, 5, -5); // past the top of the window: it scrolls to show line 12
    expect(seqs(windowOf(live, s2, 5).shown)).toEqual([12, 13, 14, 15, 16]);
    expect(windowOf(live, s2, 5).selected).toBe(0);
    expect(selectedLine(live, selectIndex(live, s2, 5, -10))?.seq).toBe(1); // clamped at the oldest
  });

  it('keeps the window where it was while new lines arrive (no jump), even after the buffer turned over', () => {
    const held = lines(1, 10);
    const s = moveBy(held, startScroll(held, 4, 10)!, 4, -6); // line 4 selected
    const before = windowOf(mergeHeld(held, held), s, 4);
    // 30 more lines went through a 10-line ring buffer: it now holds 31..40
    const merged = mergeHeld(s.held, lines(31, 40));
    expect(merged).toHaveLength(21); // held 10 + one marker + live 10: bounded by twice the capacity
    expect(merged[10]!.text).toContain('20 line(s) went by while scrolled back');
    expect(windowOf(merged, s, 4)).toEqual(before);
    // and the newer lines are there to scroll down to
    const end = selectIndex(merged, s, 4, merged.length - 1);
    expect(seqs(windowOf(merged, end, 4).shown)).toEqual([37, 38, 39, 40]);
  });

  it('without a gap the newer lines follow the held ones directly; following shows the newest lines', () => {
    expect(seqs(mergeHeld(lines(1, 5), lines(3, 8)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(windowOf(lines(1, 8), undefined, 3)).toEqual({ shown: lines(6, 8), selected: -1 });
    expect(startScroll([], 3, 0)).toBeUndefined();
  });
});
