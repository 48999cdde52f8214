import { Box, Text } from 'ink';
import { useCallback } from 'react';
import type { LogLine, LogStore } from '../feed.js';
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
        <LogLineText key={l.seq} line={l} />
      ))}
    </Box>
  );
}

/** One log line as the pane and the enlarged log view (`l`) draw it: time, level, text. */
export function LogLineText({ line }: { line: LogLine }) {
  return (
    <Text color={theme.log[line.level]} wrap="truncate-end">
      {line.at.slice(11, 19)} {line.level.toUpperCase().padEnd(5)} {line.text}
    </Text>
  );
}
