import { Text } from 'ink';
import { theme } from '../theme.js';

interface Segment {
  text: string;
  color: string;
}

/** Compact JSON split into coloured tokens: keys, strings, numbers, literals and punctuation. */
export function jsonSegments(value: unknown): Segment[] {
  const out: Segment[] = [];
  const p = (text: string) => out.push({ text, color: theme.json.punctuation });
  const walk = (v: unknown) => {
    if (v === null || typeof v === 'boolean') out.push({ text: String(v), color: theme.json.literal });
    else if (typeof v === 'number')
      out.push({ text: Number.isFinite(v) ? String(v) : 'null', color: theme.json.number });
    else if (typeof v === 'string') out.push({ text: JSON.stringify(v), color: theme.json.string });
    else if (Array.isArray(v)) {
      p('[');
      v.forEach((x, i) => {
        if (i) p(',');
        walk(x);
      });
      p(']');
    } else if (typeof v === 'object') {
      p('{');
      Object.entries(v as Record<string, unknown>).forEach(([k, x], i) => {
        if (i) p(',');
        out.push({ text: JSON.stringify(k), color: theme.json.key });
        p(':');
        walk(x);
      });
      p('}');
    } else out.push({ text: JSON.stringify(v) ?? 'undefined', color: theme.json.literal });
  };
  walk(value);
  return out;
}

/** A payload as coloured compact JSON on one line (the stream browser). */
export function ColoredJson({ value }: { value: unknown }) {
  return (
    <Text wrap="truncate-end">
      {jsonSegments(value).map((s, i) => (
        <Text key={i} color={s.color}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}
