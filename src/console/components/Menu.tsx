import { Box, Text } from 'ink';
import { useRef, useState } from 'react';
import { INVALID_CHOICE, itemForInput, MENU_GROUPS, MENU_PROMPT, type MenuItem } from '../menu.js';
import { useInputReady } from '../hooks/useInputReady.js';
import { useKeymapOverlay } from './KeymapOverlay.js';
import { useKeys } from '../input/KeyRouter.js';
import { theme } from '../theme.js';

export interface MenuProps {
  items: readonly MenuItem[];
  onSelect: (item: MenuItem) => void;
  onQuit: () => void;
  /** `:` opens the command bar (scripted syntax). */
  onCommand?: () => void;
  /** `l` opens the gateway log, enlarged and scrollable. */
  onLogs?: () => void;
  /** Rows to spare; below ~24 the group headings are dropped to keep the prompt on screen. */
  compact?: boolean;
  /** Highlighted row on mount: the shell passes the last chosen item so Esc returns to it. */
  initialIndex?: number;
}

/**
 * The main menu (EXESDB_SPEC §7.3): type a number and Enter, as at the reference's prompt, or move with the
 * arrows (wrapping) and Enter. `q` quits. Anything else than 1..15 gets the reference's invalid-choice line.
 */
export function Menu({ items, onSelect, onQuit, onCommand, onLogs, compact = false, initialIndex = 0 }: MenuProps) {
  // The typed digits and the highlight live in a ref as well as in state: a key can arrive before React has
  // re-rendered with the previous one (a fast typist, a loaded machine), and must see its effect.
  const live = useRef({ index: initialIndex, typed: '' });
  const [, rerender] = useState(0);
  const [error, setError] = useState<string | undefined>();
  const update = (next: Partial<{ index: number; typed: string }>) => {
    live.current = { ...live.current, ...next };
    rerender((n) => n + 1);
  };

  const submit = (text: string) => {
    if (text.trim() === '') {
      const item = items[live.current.index];
      if (item) onSelect(item);
      return;
    }
    const item = itemForInput(text);
    update({ typed: '' });
    if (!item) {
      setError(INVALID_CHOICE);
      return;
    }
    setError(undefined);
    onSelect(item);
  };

  useKeys((input, key) => {
    const { index, typed } = live.current;
    if (key.upArrow || key.downArrow) {
      const step = key.upArrow ? -1 : 1;
      return update({ index: (index + step + items.length) % items.length, typed: '' });
    }
    if (key.return) return submit(typed);
    if (key.escape) return update({ typed: '' });
    if (key.backspace || key.delete) return update({ typed: typed.slice(0, -1) });
    if (key.ctrl || key.meta || key.tab) return;
    // A fast typist (or tmux) may deliver "7\r" as one chunk: treat each character as a key.
    let buffer = typed;
    for (const ch of input) {
      if (ch === '\r' || ch === '\n') {
        submit(buffer);
        buffer = '';
        continue;
      }
      if (ch === 'q' && buffer === '') return onQuit();
      if (ch === ':' && buffer === '' && onCommand) return onCommand();
      if (ch === 'l' && buffer === '' && onLogs) return onLogs();
      if (buffer.length < 8) buffer += ch;
    }
    const item = itemForInput(buffer);
    update({ typed: buffer, ...(item ? { index: items.indexOf(item) } : {}) });
  });
  // After the menu's own keys, so `?` is heard first and opens the keymap instead of being typed.
  const overlay = useKeymapOverlay('menu');
  const ready = useInputReady();

  return (
    <Box flexDirection="column">
      <Text color={theme.section.title} bold>
        ========== ExESDB Interactive Console ==========
      </Text>
      {MENU_GROUPS.map((g) => {
        const groupItems = items.filter((i) => i.group === g.id);
        return (
          <Box key={g.id} flexDirection="column">
            {!compact && <Text color={g.color}>{g.title}</Text>}
            {groupItems.map((item) => {
              const selected = items.indexOf(item) === live.current.index;
              return (
                <Text key={item.number} color={selected ? theme.ui.selected : undefined} bold={selected}>
                  {selected ? '❯ ' : '  '}
                  {item.number}. {item.label}
                </Text>
              );
            })}
          </Box>
        );
      })}
      {error && <Text color={theme.status.error}>{error}</Text>}
      <Text color={theme.ui.prompt}>
        {MENU_PROMPT}
        {live.current.typed}
        <Text inverse> </Text>
      </Text>
      {overlay}
      {ready && (
        <Text color={theme.status.muted}>number + Enter, or ↑/↓ + Enter · : command · l logs · ? keys · q quit</Text>
      )}
    </Box>
  );
}
