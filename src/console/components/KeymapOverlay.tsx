import { Box, Text } from 'ink';
import { useRef, useState, type ReactNode } from 'react';
import { useKeys } from '../input/KeyRouter.js';
import { KEYMAPS, type KeymapName } from '../keymaps.js';
import { theme } from '../theme.js';

/** The `?` overlay: the current screen's keys in a box. */
export function KeymapOverlay({ name }: { name: KeymapName }) {
  const map = KEYMAPS[name];
  const width = Math.max(...map.keys.map((k) => k.keys.length)) + 2;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.ui.selected} paddingX={1}>
      <Text color={theme.ui.selected} bold>
        ⌨️ Keys — {map.title}
      </Text>
      {map.keys.map((k) => (
        <Text key={k.keys} wrap="truncate-end">
          <Text color={theme.ui.prompt} bold>
            {k.keys.padEnd(width)}
          </Text>
          {k.does}
        </Text>
      ))}
      <Text color={theme.status.muted}>any key closes this</Text>
    </Box>
  );
}

/**
 * `?` opens the keymap of `name` over the screen; the next key closes it and goes no further (Ctrl-C still
 * does). Call it after the screen's own `useKeys` so it hears keys first. Returns the overlay while it is open.
 */
export function useKeymapOverlay(name: KeymapName, options: { isActive?: boolean } = {}): ReactNode {
  const [open, setOpenState] = useState(false);
  // Keys can arrive faster than React renders: the ref is what the next key sees.
  const isOpen = useRef(false);
  const setOpen = (v: boolean) => {
    isOpen.current = v;
    setOpenState(v);
  };
  useKeys(
    (input, key) => {
      if (key.ctrl && input === 'c') return;
      if (isOpen.current) {
        setOpen(false);
        return true;
      }
      if (input === '?') {
        setOpen(true);
        return true;
      }
    },
    { isActive: options.isActive ?? true },
  );
  return open ? <KeymapOverlay name={name} /> : null;
}
