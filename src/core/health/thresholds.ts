import { GaterError } from '../errors.js';

/** A warning and/or a critical bound; a bound that is absent never fires. */
export interface Threshold {
  warn?: number;
  crit?: number;
}

/**
 * Parses a threshold flag: `C` (critical beyond C) or `W,C` (warning beyond W, critical beyond C); either side of
 * the comma may be empty (`W,` warns only). Values are non-negative numbers; durations may end in ms, s or m.
 * Throws `invalid_argument` naming the flag.
 */
export function parseThreshold(text: string, flag: string, unit: 'count' | 'ms' = 'count'): Threshold {
  const parts = text.split(',');
  if (parts.length > 2 || parts.every((p) => p.trim() === ''))
    throw new GaterError(
      'invalid_argument',
      `${flag} takes CRIT or WARN,CRIT (e.g. ${unit === 'ms' ? '500ms,2s' : '10,100'}), got "${text}"`,
    );
  const num = (p: string): number | undefined => {
    const s = p.trim();
    if (s === '') return undefined;
    const m = unit === 'ms' ? s.match(/^(\d+(?:\.\d+)?)(ms|s|m)?$/) : s.match(/^(\d+)()$/);
    if (!m)
      throw new GaterError(
        'invalid_argument',
        `${flag}: "${s}" is not ${unit === 'ms' ? 'a duration such as 500, 500ms or 2s' : 'a whole number >= 0'}`,
      );
    return Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1);
  };
  return parts.length === 1 ? { crit: num(parts[0]!) } : { warn: num(parts[0]!), crit: num(parts[1]!) };
}

export function formatThreshold(t: Threshold): string {
  return t.warn === undefined ? `${t.crit ?? ''}` : `${t.warn},${t.crit ?? ''}`;
}
