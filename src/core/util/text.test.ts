import { describe, expect, it } from 'vitest';
import { plural, renderTable } from './text.js';

describe('text', () => {
  it('plural - agrees in number', () => {
    expect(plural(0, 'event')).toBe('0 events');
    expect(plural(1, 'event')).toBe('1 event');
    expect(plural(2, 'event')).toBe('2 events');
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(3, 'entry', 'entries')).toBe('3 entries');
  });

  it('renderTable - aligns columns under the header and leaves the last one unpadded', () => {
    const t = renderTable(
      ['Ver', 'Type', 'Data'],
      [
        ['0', 'a:v1', '{"x":1}'],
        ['10', 'longer:v1', '{}'],
      ],
    );
    expect(t.split('\n')).toEqual([
      'Ver  Type       Data',
      '-'.repeat(23),
      '0    a:v1       {"x":1}',
      '10   longer:v1  {}',
    ]);
  });
});
