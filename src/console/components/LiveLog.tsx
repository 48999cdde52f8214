import { Box, Text } from 'ink';
import type { FeedLine, LineKind } from '../feed.js';
import { theme } from '../theme.js';

const KIND_COLOR: Record<LineKind, string | undefined> = {
  seen: theme.event.seen,
  received: theme.event.received,
  appended: theme.event.appended,
  lifecycle: theme.event.lifecycle,
  info: theme.status.info,
  warning: theme.status.warning,
  error: theme.status.error,
};

export interface LiveLogProps {
  lines: readonly FeedLine[];
  /** Rows to fill; only the newest lines that fit are drawn. */
  height: number;
  /** Case-insensitive substring; matches are highlighted. Filtering is the caller's job. */
  highlight?: string;
  emptyText?: string;
  /** Index in `lines` of the selected line (scrolled back); every line then gets a two-column gutter. */
  selected?: number;
}

/** Draws the newest `height` lines, one row each (truncated, never wrapped, so the frame height is fixed). */
export function LiveLog({ lines, height, highlight, emptyText = 'waiting for events…', selected }: LiveLogProps) {
  const from = Math.max(0, lines.length - height);
  const shown = lines.slice(from);
  return (
    <Box flexDirection="column" height={Math.max(1, height)}>
      {shown.length === 0 && <Text color={theme.status.muted}>{emptyText}</Text>}
      {shown.map((l, i) => {
        const isSelected = selected !== undefined && from + i === selected;
        return (
          <Text key={l.seq} color={KIND_COLOR[l.kind]} wrap="truncate-end" inverse={isSelected}>
            {selected === undefined ? '' : isSelected ? '❯ ' : '  '}
            {highlight ? <Highlighted text={l.text} needle={highlight} /> : l.text}
          </Text>
        );
      })}
    </Box>
  );
}

function Highlighted({ text, needle }: { text: string; needle: string }) {
  const parts = splitMatches(text, needle);
  return (
    <>
      {parts.map((p, i) =>
        p.match ? (
          <Text key={i} backgroundColor={theme.ui.highlightBg} color={theme.ui.highlightFg} bold>
            {p.text}
          </Text>
        ) : (
          <Text key={i}>{p.text}</Text>
        ),
      )}
    </>
  );
}

/** Splits `text` around case-insensitive occurrences of `needle`. */
export function splitMatches(text: string, needle: string): { text: string; match: boolean }[] {
  if (!needle) return [{ text, match: false }];
  const out: { text: string; match: boolean }[] = [];
  const hay = text.toLowerCase();
  const n = needle.toLowerCase();
  let from = 0;
  for (let at = hay.indexOf(n); at >= 0; at = hay.indexOf(n, at + n.length)) {
    if (at > from) out.push({ text: text.slice(from, at), match: false });
    out.push({ text: text.slice(at, at + n.length), match: true });
    from = at + n.length;
  }
  if (from < text.length) out.push({ text: text.slice(from), match: false });
  return out;
}

export function matchesFilter(line: FeedLine, filter: string): boolean {
  return !filter || line.text.toLowerCase().includes(filter.toLowerCase());
}
