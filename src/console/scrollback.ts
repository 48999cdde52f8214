import type { FeedLine } from './feed.js';

/**
 * Where a live view is scrolled to, when it is not following the newest line. `held` is the buffer as it was when
 * scrolling began: a ring buffer of 500 lines turns over in a fraction of a second under load, so the lines being
 * read are kept (once, bounded by the capacity) while newer ones keep arriving below them.
 */
export interface Scroll {
  /** The selected line. */
  selectedSeq: number;
  /** The first line drawn. */
  topSeq: number;
  held: readonly FeedLine[];
  /** The feed's total when scrolling began ("+N new" since). */
  heldTotal: number;
}

/**
 * The lines of a scrolled view: the held ones, then the live buffer's newer ones. When lines passed through the
 * buffer in between and are gone, one marker line says how many. At most twice the capacity plus one line.
 */
export function mergeHeld(held: readonly FeedLine[], live: readonly FeedLine[]): FeedLine[] {
  const last = held.at(-1);
  if (!last) return [...live];
  let i = 0;
  while (i < live.length && live[i]!.seq <= last.seq) i++;
  const newer = live.slice(i);
  const missed = newer.length ? newer[0]!.seq - last.seq - 1 : 0;
  const gap: FeedLine[] = missed
    ? [
        {
          seq: last.seq + 0.5,
          kind: 'warning',
          text: `… ${missed} line(s) went by while scrolled back and were not kept (G returns to live) …`,
        },
      ]
    : [];
  return [...held, ...gap, ...newer];
}

/** Index of the first line at or after `seq` (the last line when none is). */
function indexAt(lines: readonly FeedLine[], seq: number): number {
  const i = lines.findIndex((l) => l.seq >= seq);
  return i < 0 ? lines.length - 1 : i;
}

/** What to draw: the window of `height` lines and the selected index in it (-1 when following). */
export function windowOf(
  lines: readonly FeedLine[],
  scroll: Scroll | undefined,
  height: number,
): { shown: FeedLine[]; selected: number } {
  if (!scroll || lines.length === 0) return { shown: lines.slice(Math.max(0, lines.length - height)), selected: -1 };
  const sel = indexAt(lines, scroll.selectedSeq);
  let top = Math.min(indexAt(lines, scroll.topSeq), sel);
  if (sel >= top + height) top = sel - height + 1;
  return { shown: lines.slice(top, top + height), selected: sel - top };
}

/** Starts scrolling at the newest line, holding the lines as they are now. */
export function startScroll(lines: readonly FeedLine[], height: number, total: number): Scroll | undefined {
  const last = lines.at(-1);
  if (!last) return undefined;
  const top = lines[Math.max(0, lines.length - height)]!;
  return { selectedSeq: last.seq, topSeq: top.seq, held: lines, heldTotal: total };
}

/** Moves the selection to line `index` (clamped), scrolling the window only as far as needed to show it. */
export function selectIndex(lines: readonly FeedLine[], scroll: Scroll, height: number, index: number): Scroll {
  if (lines.length === 0) return scroll;
  const sel = Math.max(0, Math.min(lines.length - 1, index));
  let top = indexAt(lines, scroll.topSeq);
  if (sel < top) top = sel;
  else if (sel >= top + height) top = sel - height + 1;
  return { ...scroll, selectedSeq: lines[sel]!.seq, topSeq: lines[Math.max(0, top)]!.seq };
}

/** Moves the selection by `delta` lines (negative is up, older). */
export function moveBy(lines: readonly FeedLine[], scroll: Scroll, height: number, delta: number): Scroll {
  return selectIndex(lines, scroll, height, indexAt(lines, scroll.selectedSeq) + delta);
}

/** The selected line, if any. */
export function selectedLine(lines: readonly FeedLine[], scroll: Scroll | undefined): FeedLine | undefined {
  if (!scroll || lines.length === 0) return undefined;
  return lines[indexAt(lines, scroll.selectedSeq)];
}
