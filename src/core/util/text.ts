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
