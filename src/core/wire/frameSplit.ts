/**
 * Splitting a list too large for one frame over several frames (DESIGN §5, issue 10 item 2): subscription pushes
 * and array replies. Each item is encoded once, on its own; frames are then written straight from those pieces,
 * so a multi-MB list is never built as one JSON string and then again in parts.
 */
import { GaterError } from '../errors.js';
import { FRAME_HEADER_BYTES, jsonText } from './frame.js';

/**
 * A piece of a JSON array's content, with its UTF-8 size: one item, or several joined by commas (a list encoded in
 * one go). Pieces joined by commas inside brackets make the array back.
 */
export interface EncodedItem {
  /** The content; when `bracketed`, the whole array text `[content]` (kept as encoded: no copy to strip it). */
  readonly json: string;
  /** UTF-8 bytes of the content, brackets excluded. */
  readonly bytes: number;
  readonly bracketed?: boolean;
}

/**
 * Encodes one item.
 * @throws GaterError `invalid_argument` when the item has no JSON form (undefined, a function, a BigInt, a cycle).
 */
export function encodeItem(item: unknown): EncodedItem {
  const json = jsonText(item);
  return { json, bytes: Buffer.byteLength(json, 'utf8') };
}

/**
 * Encodes a list as pieces of at most `budget` bytes where it can: the whole list in one `JSON.stringify` (the
 * common case: one piece), and only when that is larger than `budget` is the text cut at its top-level commas into
 * one piece per item — cut, not encoded again, so a multi-MB list is built once. A piece over `budget` is then a
 * single item that fits no frame. An empty list gives no piece.
 *
 * @param onBad when given, an item with no JSON form is reported and left out; otherwise it throws.
 * @throws GaterError `invalid_argument` for an item with no JSON form (without `onBad`).
 */
export function encodeList(
  items: readonly unknown[],
  budget: number,
  onBad?: (index: number, err: GaterError) => void,
): EncodedItem[] {
  if (items.length === 0) return [];
  let json: string | undefined;
  try {
    json = JSON.stringify(items);
  } catch {
    // A BigInt or a cycle somewhere (or a list longer than a string may be): item by item names the culprit.
  }
  if (json === undefined) return encodeEach(items, onBad);
  const bytes = Buffer.byteLength(json, 'utf8') - 2;
  if (bytes <= budget) return [{ json, bytes, bracketed: true }];
  return itemRanges(json).map(([a, b]) => {
    const piece = json.slice(a, b);
    return { json: piece, bytes: Buffer.byteLength(piece, 'utf8') };
  });
}

function encodeEach(items: readonly unknown[], onBad?: (index: number, err: GaterError) => void): EncodedItem[] {
  const out: EncodedItem[] = [];
  items.forEach((item, i) => {
    try {
      out.push(encodeItem(item === undefined ? null : item)); // as JSON.stringify writes it inside an array
    } catch (e) {
      if (!onBad) throw e;
      onBad(i, e as GaterError);
    }
  });
  return out;
}

/**
 * The `[start, end)` character ranges of the items of a JSON array text as `JSON.stringify` writes it (no
 * whitespace): its top-level commas, found outside strings and nested values.
 */
export function itemRanges(json: string): Array<[number, number]> {
  const last = json.length - 1;
  if (last <= 1) return [];
  const out: Array<[number, number]> = [];
  let start = 1;
  let depth = 0;
  for (let i = 1; i < last; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote (a backslash escapes the next character)
      for (i++; i < last; i++) {
        const d = json.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c && depth === 0) {
      out.push([start, i]);
      start = i + 1;
    }
  }
  out.push([start, last]);
  return out;
}

/**
 * Groups items, in order, into runs whose JSON array `[a,b,...]` takes at most `budget` bytes; every item is in
 * exactly one run and no run is empty. Greedy: a run is closed only when the next item would not fit.
 *
 * @returns `[start, end)` index pairs.
 * @throws GaterError `payload_too_large` (details `index`, `bytes`, `budget`) when one item alone does not fit.
 */
export function splitRuns(sizes: readonly number[], budget: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = 0;
  let used = 2; // the brackets
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]!;
    if (2 + size > budget)
      throw new GaterError(
        'payload_too_large',
        `item ${i} is ${size} bytes of JSON, more than the ${budget - 2} one frame can carry`,
        { index: i, bytes: size, budget },
      );
    const add = i > start ? size + 1 : size; // a comma before every item but a run's first
    if (used + add > budget) {
      runs.push([start, i]);
      start = i;
      used = 2 + size;
    } else used += add;
  }
  if (start < sizes.length) runs.push([start, sizes.length]);
  return runs;
}

/** Where a list sits in its frames: `head` + `[items]` + `tail`; `lastHead` (if given) heads the final frame. */
export interface ArrayEnvelope {
  head: string;
  tail: string;
  lastHead?: string;
}

/** Bytes each frame leaves for its JSON array, whatever its head. */
export function arrayBudget(envelope: ArrayEnvelope, maxFrameBytes: number): number {
  const head = Math.max(Buffer.byteLength(envelope.head), Buffer.byteLength(envelope.lastHead ?? envelope.head));
  return maxFrameBytes - head - Buffer.byteLength(envelope.tail);
}

/**
 * Encodes items as one or more frames, in order, each at most `maxFrameBytes` of JSON: every frame but the last
 * is `head[...]tail`, the last `lastHead[...]tail`. An empty list gives one frame with `[]`.
 *
 * @throws GaterError `payload_too_large` (nothing encoded) when one item alone does not fit a frame.
 */
export function encodeArrayFrames(
  items: readonly EncodedItem[],
  maxFrameBytes: number,
  envelope: ArrayEnvelope,
): Buffer[] {
  return [...arrayFrames(items, maxFrameBytes, envelope)];
}

/**
 * As {@link encodeArrayFrames}, but each frame is built only when iterated to, so a sender that waits for the
 * connection to drain between frames holds one frame at a time. The split is planned (and refused) up front.
 */
export function arrayFrames(
  items: readonly EncodedItem[],
  maxFrameBytes: number,
  envelope: ArrayEnvelope,
): Iterable<Buffer> {
  const runs: Array<[number, number]> =
    items.length === 0
      ? [[0, 0]]
      : splitRuns(
          items.map((i) => i.bytes),
          arrayBudget(envelope, maxFrameBytes),
        );
  const lastHead = envelope.lastHead ?? envelope.head;
  return (function* () {
    for (let r = 0; r < runs.length; r++) {
      const [start, end] = runs[r]!;
      yield writeFrame(r === runs.length - 1 ? lastHead : envelope.head, items, start, end, envelope.tail);
    }
  })();
}

/** Writes `head[items[start..end)]tail` into one frame buffer, without joining the items into a string first. */
function writeFrame(head: string, items: readonly EncodedItem[], start: number, end: number, tail: string): Buffer {
  let bytes = Buffer.byteLength(head) + Buffer.byteLength(tail) + 2 + Math.max(0, end - start - 1);
  for (let i = start; i < end; i++) bytes += items[i]!.bytes;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bytes);
  frame.writeUInt32BE(bytes, 0);
  let at = FRAME_HEADER_BYTES;
  at += frame.write(head, at, 'utf8');
  frame[at++] = 0x5b; // [
  for (let i = start; i < end; i++) {
    if (i > start) frame[at++] = 0x2c; // ,
    const item = items[i]!;
    if (item.bracketed) {
      // Written whole one byte early, so its `[` lands on the separator just written (put back) and its `]` on
      // the byte the next separator or the closing bracket takes.
      const separator = frame[at - 1]!;
      frame.write(item.json, at - 1, 'utf8');
      frame[at - 1] = separator;
      at += item.bytes;
    } else at += frame.write(item.json, at, 'utf8');
  }
  frame[at++] = 0x5d; // ]
  frame.write(tail, at, 'utf8');
  return frame;
}
