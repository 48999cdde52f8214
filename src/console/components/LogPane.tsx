import { Box, Text } from 'ink';
import { useCallback } from 'react';
import type { LogStore } from '../feed.js';
import { useThrottledSubscription } from '../hooks/useThrottledSubscription.js';
import { theme } from '../theme.js';

/** The newest gateway log lines, below the screen, so logs never write through Ink's frame. */
export function LogPane({ logs, height = 3 }: { logs: LogStore; height?: number }) {
  const subscribe = useCallback((cb: () => void) => logs.subscribe(cb), [logs]);
  useThrottledSubscription(subscribe, 200);
  const lines = logs.lines(height);
  if (lines.length === 0 || height <= 0) return null;
  return (
    <Box
      flexDirection="column"
      borderStyle="single"
      borderColor="gray"
      borderLeft={false}
      borderRight={false}
      borderBottom={false}
    >
      {lines.map((l) => (
        <Text key={l.seq} color={theme.log[l.level]} wrap="truncate-end">
          {l.at.slice(11, 19)} {l.level.toUpperCase().padEnd(5)} {l.text}
        </Text>
      ))}
    </Box>
  );
}
