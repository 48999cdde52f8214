import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { theme } from '../theme.js';
import type { MemoryStatus } from '../vitals.js';

export interface StatusBarProps {
  paused?: boolean;
  rate?: number;
  total?: number;
  shown?: number;
  buffered?: number;
  capacity?: number;
  sincePause?: number;
  /** Set while scrolled back: events that arrived since (the view shows SCROLLED instead of LIVE). */
  scrolledNew?: number;
  filter?: string;
  hints?: string;
  /** The process's memory (live views show it: a flood of events is where memory runs out); details and the
   * warning near the heap limit are in the header. */
  memory?: MemoryStatus;
  /** Replaces the hints (e.g. the filter prompt). */
  children?: ReactNode;
}

/** One status line under a live view: state, events per second, counts, filter and keys. */
export function StatusBar({
  paused,
  rate,
  total,
  shown,
  buffered,
  capacity,
  sincePause,
  scrolledNew,
  filter,
  hints,
  memory,
  children,
}: StatusBarProps) {
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        {scrolledNew !== undefined ? (
          <Text color={theme.status.warning} bold>
            ⇞ SCROLLED BACK{scrolledNew ? ` (+${scrolledNew} new)` : ''}
          </Text>
        ) : paused === undefined ? null : paused ? (
          <Text color={theme.status.warning} bold>
            ⏸ PAUSED{sincePause ? ` (+${sincePause} new)` : ''}
          </Text>
        ) : (
          <Text color={theme.status.success} bold>
            ● LIVE
          </Text>
        )}
        {rate !== undefined && <Text> │ {rate.toFixed(1)} ev/s</Text>}
        {total !== undefined && <Text> │ total {total}</Text>}
        {buffered !== undefined && capacity !== undefined && (
          <Text color={theme.status.muted}>
            {' '}
            │ buffer {buffered}/{capacity}
          </Text>
        )}
        {filter ? (
          <Text>
            {' '}
            │ filter <Text color={theme.ui.highlightBg}>/{filter}/</Text>
            {shown !== undefined ? ` ${shown} match(es)` : ''}
          </Text>
        ) : null}
        {memory && (
          <Text color={memory.warning ? theme.status.error : theme.status.muted}>
            {' '}
            │ {memory.text.replace(/ \(heap.*$/, '')}
          </Text>
        )}
      </Text>
      {children ?? (hints ? <Text color={theme.status.muted}>{hints}</Text> : null)}
    </Box>
  );
}
