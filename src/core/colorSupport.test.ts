import { describe, expect, it } from 'vitest';
import { colorLevel } from './colorSupport.js';

describe('colour choice (NO_COLOR, FORCE_COLOR, --no-color)', () => {
  it('follows the terminal when nothing is said', () => {
    expect(colorLevel(undefined, {}, 2)).toBe(2);
    expect(colorLevel(undefined, {}, 0)).toBe(0);
  });

  it('NO_COLOR set and not empty turns colour off; empty means unset', () => {
    expect(colorLevel(undefined, { NO_COLOR: '1' }, 3)).toBe(0);
    expect(colorLevel(undefined, { NO_COLOR: '' }, 3)).toBe(3);
  });

  it('FORCE_COLOR turns colour on even without a terminal, at the depth asked, and wins over NO_COLOR', () => {
    expect(colorLevel(undefined, { FORCE_COLOR: '1' }, 0)).toBe(1);
    expect(colorLevel(undefined, { FORCE_COLOR: '3' }, 0)).toBe(3);
    expect(colorLevel(undefined, { FORCE_COLOR: '' }, 0)).toBe(1);
    expect(colorLevel(undefined, { FORCE_COLOR: 'true' }, 2)).toBe(2);
    expect(colorLevel(undefined, { FORCE_COLOR: '2', NO_COLOR: '1' }, 0)).toBe(2);
    expect(colorLevel(undefined, { FORCE_COLOR: '0' }, 3)).toBe(0);
    expect(colorLevel(undefined, { FORCE_COLOR: 'false' }, 3)).toBe(0);
  });

  it('--no-color wins over everything', () => {
    expect(colorLevel(false, { FORCE_COLOR: '3' }, 3)).toBe(0);
  });
});
