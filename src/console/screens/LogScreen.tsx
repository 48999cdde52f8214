import { Box, Text } from 'ink';
import { useCallback, useRef, useState } from 'react';
import { useKeymapOverlay } from '../components/KeymapOverlay.js';
import { LogLineText } from '../components/LogPane.js';
import { Heading } from '../components/Notice.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { useInputReady } from '../hooks/useInputReady.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
import { useThrottledSubscription } from '../hooks/useThrottledSubscription.js';
import { useKeys } from '../input/KeyRouter.js';
import { theme } from '../theme.js';
import type { ScreenProps } from './types.js';

/**
 * `l` from the menu: the gateway log enlarged to the terminal's height, to scroll back through (the pane under
 * every screen shows only the newest lines). ↑/↓ a line, PgUp/PgDn a page, g/G oldest/newest; new lines keep
 * arriving below without moving a scrolled-back window. Esc back.
 */
export function LogScreen({ done, quit }: ScreenProps) {
  const { logs } = useServices();
  const subscribe = useCallback((cb: () => void) => logs.subscribe(cb), [logs]);
  useThrottledSubscription(subscribe, 200);
  const { rows } = useTerminalSize();
  // Banner, heading, hints and the log pane below take about 12 rows.
  const height = Math.max(5, rows - 12);
  const all = logs.lines();
  // Scrolled back, the window ends at a given line (by its seq), so lines arriving meanwhile do not move it;
  // undefined follows the newest line.
  const [endSeq, setEndSeq] = useState<number | undefined>();
  let end = all.length;
  if (endSeq !== undefined) {
    const after = all.findIndex((l) => l.seq > endSeq);
    // (a window whose lines the ring buffer dropped shows the oldest page)
    end = Math.max(after === -1 ? all.length : after, Math.min(height, all.length));
  }
  const live = useRef({ end, all });
  live.current = { end, all };
  const moveTo = (nextEnd: number) => {
    const { all: lines } = live.current;
    const clamped = Math.min(lines.length, Math.max(Math.min(height, lines.length), nextEnd));
    live.current.end = clamped;
    setEndSeq(clamped >= lines.length ? undefined : lines[clamped - 1]!.seq);
  };
  useKeys((input, key) => {
    const { end: e, all: lines } = live.current;
    if (key.escape) return done();
    if (input === 'q') return quit();
    if (key.upArrow || input === 'k') return moveTo(e - 1);
    if (key.downArrow || input === 'j') return moveTo(e + 1);
    if (key.pageUp) return moveTo(e - height);
    if (key.pageDown) return moveTo(e + height);
    if (input === 'g') return moveTo(0);
    if (input === 'G') return moveTo(lines.length);
  });
  const overlay = useKeymapOverlay('logs');
  const ready = useInputReady();
  const shown = all.slice(Math.max(0, end - height), end);
  const newer = all.length - end;
  return (
    <Box flexDirection="column">
      <Heading color={theme.section.list}>📜 Gateway log</Heading>
      <Text color={theme.status.muted}>
        {all.length === 0
          ? 'no log lines yet'
          : newer === 0
            ? `newest ${shown.length} of ${all.length} lines (the console keeps the last ${logs.buffer.capacity})`
            : `lines ${end - shown.length + 1}-${end} of ${all.length} · ${newer} newer below`}
      </Text>
      {shown.map((l) => (
        <LogLineText key={l.seq} line={l} />
      ))}
      {overlay}
      {ready && <Text color={theme.status.muted}>↑/↓ PgUp/PgDn g/G scroll · Esc back · ? keys · q quit</Text>}
    </Box>
  );
}
