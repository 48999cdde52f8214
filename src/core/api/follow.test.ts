import { describe, expect, it } from 'vitest';
import { treeText } from '../followText.js';
import type { EventRecord } from '../types.js';
import { causationTree } from './follow.js';

const rec = (eventId: string, position: number, causation?: string): EventRecord => ({
  eventStreamId: 's',
  eventNumber: position,
  eventId,
  eventType: 't:v1',
  dataContentType: 1,
  metadataContentType: 1,
  data: {},
  metadata: causation === undefined ? {} : { causation_id: causation, correlation_id: 'c' },
  created: '2026-11-30T00:00:00.000Z',
  createdEpoch: 0,
  position,
});

describe('causationTree', () => {
  it('walks depth first, consequences by position; indents only where the tree branches', () => {
    const rows = causationTree([
      rec('d', 3, 'b'),
      rec('a', 0, 'cmd'),
      rec('c', 2, 'a'),
      rec('b', 1, 'a'),
      rec('e', 4, 'd'),
    ]);
    expect(rows.map((r) => [r.event.eventId, r.depth, r.parentId ?? null, r.last])).toEqual([
      ['a', 0, null, true],
      ['b', 1, 'a', false],
      ['d', 1, 'b', true],
      ['e', 1, 'd', true],
      ['c', 1, 'a', true],
    ]);
    expect(treeText(rows).map((l) => l.slice(0, 6))).toEqual(['● s #0', '├─ s #', '   ↳ s', '   ↳ s', '└─ s #']);
  });

  it('events whose cause was not found are roots; a causation cycle in bad data prints each event once', () => {
    const rows = causationTree([rec('x', 0, 'y'), rec('y', 1, 'x'), rec('z', 2, 'missing')]);
    expect(rows.map((r) => [r.event.eventId, r.parentId ?? null])).toEqual([
      ['z', null],
      ['x', null],
      ['y', 'x'],
    ]);
    const withRoot = causationTree([rec('r', 0), rec('x', 1, 'r'), rec('x2', 2, 'x')]);
    expect(withRoot.map((r) => r.event.eventId)).toEqual(['r', 'x', 'x2']);
  });

  it('a chain of 20,000 events is one level deep and does not overflow the stack', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => rec(`e${i}`, i, i === 0 ? undefined : `e${i - 1}`));
    const rows = causationTree(chain);
    expect(rows).toHaveLength(20_000);
    expect(rows.every((r) => r.depth === 0)).toBe(true);
  });
});
