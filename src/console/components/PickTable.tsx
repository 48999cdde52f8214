import { Box, Text } from 'ink';
import { useRef, useState, type ReactNode } from 'react';
import { toGaterError } from '../../core/index.js';
import { useInputReady } from '../hooks/useInputReady.js';
import { useKeys } from '../input/KeyRouter.js';
import type { KeymapName } from '../keymaps.js';
import type { ResultLine } from '../menu.js';
import { theme, toneColor } from '../theme.js';
import { useKeymapOverlay } from './KeymapOverlay.js';
import { fail } from './ResultBlock.js';

/** What a key does to the selected row. */
export interface PickAction<R> {
  /** `enter` or one letter (`s`, `d`, `m`…). */
  key: string;
  /** For the key hints: "s stop". */
  label: string;
  /** Asked before running (y confirms, anything else cancels): e.g. "Delete observer 'x'?". */
  confirm?: (row: R) => string;
  /** Not offered for this row (e.g. stop on a stopped observer). */
  unavailable?: (row: R) => string | undefined;
  /** Runs the action; the line it returns is shown under the table. */
  run: (row: R) => Promise<ResultLine | void> | ResultLine | void;
}

export interface PickTableProps<R> {
  heading: ReactNode;
  rows: readonly R[];
  rowKey: (row: R) => string;
  header: string;
  renderRow: (row: R) => ReactNode;
  actions: PickAction<R>[];
  emptyText: string;
  onBack: () => void;
  onQuit: () => void;
  /** The `?` overlay's keymap (default: the generic table's). */
  keymap?: KeymapName;
  /** Under the heading, above the table (a summary, a verdict). */
  children?: ReactNode;
}

/**
 * A table to move through with ↑/↓ (or k/j) and act on, like k9s: Enter opens, letters act on the selected
 * row, destructive ones ask first. The selection follows its row (by key) when a refresh reorders the table.
 */
export function PickTable<R>({
  heading,
  rows,
  rowKey,
  header,
  renderRow,
  actions,
  emptyText,
  onBack,
  onQuit,
  keymap = 'table',
  children,
}: PickTableProps<R>) {
  const [selectedKey, setSelectedKey] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState<{ action: PickAction<R>; row: R; question: string } | undefined>();
  const [message, setMessage] = useState<ResultLine | undefined>();
  const busy = useRef(false);
  const found = rows.findIndex((r) => rowKey(r) === selectedKey);
  const index = found >= 0 ? found : 0;
  const selected = rows[index];
  const live = useRef({ index, rows, confirming });
  live.current = { index, rows, confirming };

  const run = (action: PickAction<R>, row: R) => {
    busy.current = true;
    Promise.resolve()
      .then(() => action.run(row))
      .then(
        (line) => setMessage(line ?? undefined),
        (e: unknown) => setMessage(fail(toGaterError(e).message)),
      )
      .finally(() => {
        busy.current = false;
      });
  };

  useKeys((input, key) => {
    const { index, rows, confirming } = live.current;
    if (confirming) {
      setConfirming(undefined);
      if (input === 'y' || input === 'Y') run(confirming.action, confirming.row);
      else setMessage({ tone: 'muted', text: 'Cancelled' });
      return;
    }
    if (key.escape) return onBack();
    if (input === 'q') return onQuit();
    // k/j move as in vi, unless a table uses the letter for an action (the parked view's k skips).
    const vi = (letter: string) => input === letter && !actions.some((a) => a.key === letter);
    if (key.upArrow || key.downArrow || vi('k') || vi('j')) {
      if (rows.length === 0) return;
      const step = key.upArrow || vi('k') ? -1 : 1;
      const next = rows[(index + step + rows.length) % rows.length]!;
      live.current.index = rows.indexOf(next);
      setSelectedKey(rowKey(next));
      return;
    }
    const name = key.return ? 'enter' : input;
    const action = actions.find((a) => a.key === name);
    const row = rows[index];
    if (!action || row === undefined || busy.current) return;
    const why = action.unavailable?.(row);
    if (why) return setMessage({ tone: 'warning', text: `⚠️  ${why}` });
    if (action.confirm) return setConfirming({ action, row, question: action.confirm(row) });
    run(action, row);
  });
  const overlay = useKeymapOverlay(keymap, { isActive: !confirming });
  const ready = useInputReady();
  const hints = ['↑/↓ select', ...actions.map((a) => a.label), '? keys', 'Esc back', 'q quit'].join(' · ');

  return (
    <Box flexDirection="column">
      {heading}
      {children}
      {overlay ? (
        overlay
      ) : rows.length === 0 ? (
        <Text color={theme.status.warning}>
          {'⚠️  '}
          {emptyText}
        </Text>
      ) : (
        <>
          <Text color={theme.ui.header} wrap="truncate-end">
            {'  '}
            {header}
          </Text>
          {rows.map((r) => {
            const isSelected = r === selected;
            return (
              <Text key={rowKey(r)} wrap="truncate-end" inverse={isSelected}>
                <Text color={isSelected ? theme.ui.selected : undefined}>{isSelected ? '❯ ' : '  '}</Text>
                {renderRow(r)}
              </Text>
            );
          })}
        </>
      )}
      {message && <Text color={toneColor(message.tone)}>{message.text}</Text>}
      {confirming && (
        <Text color={theme.status.warning} bold>
          {confirming.question} (y/N)
        </Text>
      )}
      {ready && <Text color={theme.status.muted}>{hints}</Text>}
    </Box>
  );
}
