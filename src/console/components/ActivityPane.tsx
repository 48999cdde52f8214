import { Box, Text } from 'ink';
import { useCallback } from 'react';
import type { LineFeed } from '../feed.js';
import { useThrottledSubscription } from '../hooks/useThrottledSubscription.js';
import { theme } from '../theme.js';
import { LiveLog } from './LiveLog.js';

/**
 * The newest console-wide output under the menu: the reference prints SEEN, RECEIVED and APPENDED lines to the
 * terminal at all times; here they scroll in a few fixed rows instead of through the prompt.
 */
export function ActivityPane({ feed, height }: { feed: LineFeed; height: number }) {
  const subscribe = useCallback((cb: () => void) => feed.subscribe(cb), [feed]);
  useThrottledSubscription(subscribe);
  if (height <= 0) return null;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text color={theme.status.muted}>── activity ({feed.total} lines) ──</Text>
      <LiveLog
        lines={feed.lines(height)}
        height={height}
        emptyText="no activity yet — start producers (7) and observers (1-3)"
      />
    </Box>
  );
}
