import { Box, Text, useStdout } from 'ink';
import { useRef, useState } from 'react';
import {
  causationTree,
  eventLinks,
  followCorrelation,
  plural,
  toGaterError,
  treeText,
  FOLLOW_LIMIT,
  type EventRecord,
  type TreeRow,
} from '../../core/index.js';
import { osc52 } from '../clipboard.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { useInputReady } from '../hooks/useInputReady.js';
import { useKeys } from '../input/KeyRouter.js';
import type { ResultLine } from '../menu.js';
import { theme, toneColor } from '../theme.js';
import { useKeymapOverlay } from './KeymapOverlay.js';

export interface EventInspectorProps {
  event: EventRecord;
  /** Rows the pane may use. */
  height: number;
  onClose: () => void;
  onQuit: () => void;
}

type Tree =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; rows: TreeRow[]; lines: string[]; summary: string };

/**
 * The detail pane of one event (ids, position, created, metadata and data as pretty JSON) over a live view or
 * the stream browser. `f` opens its transaction as `follow` prints it (same core search and tree), `c` copies the
 * event as JSON through the terminal (OSC 52), Esc goes back. It hears keys before the view under it and keeps
 * them, except Ctrl-C, which leaves the view.
 */
export function EventInspector({ event: first, height, onClose, onQuit }: EventInspectorProps) {
  const services = useServices();
  const { stdout } = useStdout();
  const [event, setEvent] = useState(first);
  const [tree, setTree] = useState<Tree | undefined>();
  const [treeIndex, setTreeIndex] = useState(0);
  const [message, setMessage] = useState<ResultLine | undefined>();
  const loads = useRef(0);

  const follow = (e: EventRecord) => {
    const id = ++loads.current;
    setTree({ state: 'loading' });
    followCorrelation(services.gater.api, services.store, e.eventId, FOLLOW_LIMIT).then(
      (found) => {
        if (id !== loads.current) return;
        const rows = causationTree(found.events);
        const streams = new Set(found.events.map((x) => x.eventStreamId)).size;
        const summary =
          `${plural(found.events.length, 'event')} in ${plural(streams, 'stream')}` +
          `${found.correlationIds.length ? `, correlation ${found.correlationIds.join(', ')}` : ''}` +
          `${found.truncated ? ` (stopped at ${FOLLOW_LIMIT})` : ''}`;
        setTree({ state: 'ready', rows, lines: treeText(rows), summary });
        setTreeIndex(
          Math.max(
            0,
            rows.findIndex((r) => r.event.eventId === e.eventId),
          ),
        );
      },
      (err: unknown) => id === loads.current && setTree({ state: 'error', message: toGaterError(err).message }),
    );
  };

  useKeys((input, key) => {
    if (key.ctrl && input === 'c') return; // the view leaves
    if (input === 'q') {
      onQuit();
      return true;
    }
    if (tree) {
      if (key.escape) setTree(undefined);
      else if (tree.state === 'ready') {
        const n = tree.rows.length;
        if (key.upArrow) setTreeIndex((i) => Math.max(0, i - 1));
        else if (key.downArrow) setTreeIndex((i) => Math.min(n - 1, i + 1));
        else if (key.return && tree.rows[treeIndex]) {
          setEvent(tree.rows[treeIndex].event);
          setTree(undefined);
          setMessage(undefined);
        }
      }
      return true;
    }
    if (key.escape || key.backspace) onClose();
    else if (input === 'f') follow(event);
    else if (input === 'c') {
      // Straight to the terminal: the escape moves no cursor, so Ink's frame is undisturbed.
      stdout.write(osc52(JSON.stringify(event, null, 2)));
      setMessage({
        tone: 'success',
        text: `📋 Copied ${event.eventStreamId} #${event.eventNumber} as JSON (OSC 52: the terminal sets the clipboard; in tmux: set-clipboard on)`,
      });
    }
    return true;
  });
  const overlay = useKeymapOverlay(tree ? 'tree' : 'detail');
  const ready = useInputReady();

  if (overlay) return overlay;
  if (tree) return <TreeView tree={tree} index={treeIndex} current={event.eventId} height={height} ready={ready} />;
  return <Detail event={event} height={height} message={message} ready={ready} />;
}

function Detail({
  event: e,
  height,
  message,
  ready,
}: {
  event: EventRecord;
  height: number;
  message: ResultLine | undefined;
  ready: boolean;
}) {
  const links = eventLinks(e);
  const fields: [string, string][] = [
    ['stream', `${e.eventStreamId}   version ${e.eventNumber}   position ${e.position}`],
    ['type', e.eventType],
    ['event id', e.eventId],
    ['created', `${e.created}   (epoch µs ${e.createdEpoch})`],
    ['correlation', links.correlationId ?? '-'],
    ['causation', links.causationId ?? '-'],
  ];
  const json = [
    { label: 'metadata', lines: prettyLines(e.metadata) },
    { label: 'data', lines: prettyLines(e.data) },
  ];
  // Rows left for the two JSON blocks after the heading, fields, labels, message and hints.
  let budget = Math.max(4, height - fields.length - 5);
  return (
    <Box flexDirection="column">
      <Text color={theme.section.monitor} bold wrap="truncate-end">
        🔎 Event {e.eventStreamId} #{e.eventNumber} — {e.eventType}
      </Text>
      {fields.map(([k, v]) => (
        <Text key={k} wrap="truncate-end">
          <Text color={theme.ui.header}>{`  ${k.padEnd(12)}`}</Text>
          {v}
        </Text>
      ))}
      {json.map(({ label, lines }) => {
        const shown = lines.slice(0, Math.max(1, Math.min(lines.length, budget)));
        budget -= shown.length;
        return (
          <Box key={label} flexDirection="column">
            <Text color={theme.ui.header}>{`  ${label}:`}</Text>
            {shown.map((l, i) => (
              <Text key={i} color={theme.json.string} wrap="truncate-end">
                {'    '}
                {l}
              </Text>
            ))}
            {shown.length < lines.length && (
              <Text color={theme.status.muted}>
                {'    '}… {lines.length - shown.length} more line(s) (c copies all of it)
              </Text>
            )}
          </Box>
        );
      })}
      {message && (
        <Text color={toneColor(message.tone)} wrap="truncate-end">
          {message.text}
        </Text>
      )}
      {ready && <Text color={theme.status.muted}>f follow correlation · c copy JSON · Esc back · ? keys · q quit</Text>}
    </Box>
  );
}

function TreeView({
  tree,
  index,
  current,
  height,
  ready,
}: {
  tree: Tree;
  index: number;
  current: string;
  height: number;
  ready: boolean;
}) {
  const rows = Math.max(3, height - 3);
  const top =
    tree.state === 'ready' ? Math.max(0, Math.min(index - Math.floor(rows / 2), tree.lines.length - rows)) : 0;
  return (
    <Box flexDirection="column">
      <Text color={theme.section.monitor} bold wrap="truncate-end">
        🔗 Correlation tree{tree.state === 'ready' ? `: ${tree.summary}` : ''}
      </Text>
      {tree.state === 'loading' && <Text color={theme.status.muted}>following the correlation…</Text>}
      {tree.state === 'error' && <Text color={theme.status.error}>❌ Could not follow: {tree.message}</Text>}
      {tree.state === 'ready' &&
        tree.lines.slice(top, top + rows).map((l, i) => {
          const at = top + i;
          const row = tree.rows[at]!;
          return (
            <Text
              key={row.event.eventId}
              wrap="truncate-end"
              inverse={at === index}
              color={row.event.eventId === current ? theme.ui.selected : undefined}
            >
              {at === index ? '❯ ' : '  '}
              {l}
            </Text>
          );
        })}
      {ready && <Text color={theme.status.muted}>↑/↓ select · Enter details · Esc back · ? keys · q quit</Text>}
    </Box>
  );
}

/** JSON pretty-printed, as lines (`undefined`/absent shows as null). */
function prettyLines(v: unknown): string[] {
  return (JSON.stringify(v ?? null, null, 2) ?? 'null').split('\n');
}
