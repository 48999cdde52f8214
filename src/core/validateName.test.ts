import { describe, expect, it } from 'vitest';
import { NAME_MAX, validateName } from './validation.js';

describe('observer and subscription names', () => {
  it('are trimmed and kept when printable and short enough', () => {
    expect(validateName('observer', '  all_obs ')).toBe('all_obs');
    expect(validateName('subscription', 'température ✓')).toBe('température ✓');
    expect(validateName('observer', 'x'.repeat(NAME_MAX))).toHaveLength(NAME_MAX);
  });

  it('refuse empty, over-long and unprintable names with a message saying what to do', () => {
    expect(() => validateName('observer', '   ')).toThrow(/observer name must not be empty/);
    expect(() => validateName('observer', 'x'.repeat(900))).toThrow(/900 characters long; at most 64/);
    expect(() => validateName('subscription', 'a\u0007b')).toThrow(/must be printable/);
    expect(() => validateName('subscription', 'a\u200bb')).toThrow(/must be printable/);
    expect(() => validateName('observer', 42)).toThrow(/must not be empty/);
  });
});
