/** Human counts that agree in number: `plural(1, 'event')` is "1 event", `plural(2, 'event')` is "2 events". */
export function plural(n: number, noun: string, nounPlural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nounPlural}`;
}

/** Rows as aligned columns under a header and a rule; the last column is never padded (it may be long JSON). */
export function renderTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(head), '-'.repeat(widths.reduce((a, w) => a + w + 2, -2)), ...rows.map(fmt)].join('\n');
}

/**
 * A duration as the commands take it — `500`, `500ms`, `2s`, `1.5s`, `1m` — in whole milliseconds; undefined when
 * the text is not one. Shared by the scripted flags and the console's command bar, which each word their own error.
 */
export function parseDurationMs(text: string): number | undefined {
  const m = text.trim().match(/^(\d+(?:\.\d+)?)(ms|s|m)?$/);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1));
}
