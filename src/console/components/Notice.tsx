import { Box, Text, type Key } from 'ink';
import type { ReactNode } from 'react';
import { useInputReady } from '../hooks/useInputReady.js';
import { useKeys } from '../input/KeyRouter.js';
import type { KeymapName } from '../keymaps.js';
import { useKeymapOverlay } from './KeymapOverlay.js';
import { theme } from '../theme.js';

/**
 * A read-only view (lists, status, "nothing to do" notices): Esc, Enter or Backspace goes back, `q` quits.
 * `onKey` sees the other keys (paging, refresh).
 */
export function ViewFrame({
  children,
  onBack,
  onQuit,
  hints = 'Esc back · q quit',
  onKey,
  keymap,
}: {
  children: ReactNode;
  onBack: () => void;
  onQuit: () => void;
  hints?: string;
  onKey?: (input: string, key: Key) => void;
  /** With a keymap, `?` shows it over the view. */
  keymap?: KeymapName;
}) {
  useKeys((input, key) => {
    if (key.escape || key.return || key.backspace) return onBack();
    if (input === 'q') return onQuit();
    onKey?.(input, key);
  });
  const overlay = useKeymapOverlay(keymap ?? 'status', { isActive: keymap !== undefined });
  const ready = useInputReady();
  return (
    <Box flexDirection="column">
      {overlay ?? children}
      {ready && <Text color={theme.status.muted}>{hints}</Text>}
    </Box>
  );
}

export function Heading({ children, color = theme.section.heading }: { children: ReactNode; color?: string }) {
  return (
    <Text color={color} bold>
      {children}
    </Text>
  );
}
