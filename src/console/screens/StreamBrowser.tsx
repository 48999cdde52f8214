import { Box, Text } from 'ink';
import { useState } from 'react';
import { openExport, plural, toGaterError, type EventRecord } from '../../core/index.js';
import { EventInspector } from '../components/EventInspector.js';
import { useKeymapOverlay } from '../components/KeymapOverlay.js';
import { exportEventsToFile } from '../exportView.js';
import { useInputReady } from '../hooks/useInputReady.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
import { useKeyWait, useKeys } from '../input/KeyRouter.js';
import type { ResultLine } from '../menu.js';
import { ColoredJson } from '../components/ColoredJson.js';
import { Form, integerField, type Parsed } from '../components/Form.js';
import { Heading, ViewFrame } from '../components/Notice.js';
import { fail } from '../components/ResultBlock.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { clock } from '../format.js';
import { usePolling } from '../hooks/usePolling.js';
import { theme, toneColor } from '../theme.js';
import type { ScreenProps } from './types.js';

/** Streams listed before the prompt; more would push the prompt off screen. */
const LIST_MAX = 20;
const MAX_PAGE = 100;

/** Option 12 — View Stream Data, first part: pick a stream and a page size. */
export function PickStream({ done, navigate, quit }: ScreenProps) {
  const services = useServices();
  const streams = usePolling(() => services.gater.api.getStreams(services.store), 0);
  // `12⏎greenhouse1⏎` typed while the list loads is for the prompt that follows it.
  useKeyWait(streams.state === 'loading');
  const heading = <Heading color={theme.section.data}>📈 View Stream Data</Heading>;
  if (streams.state === 'loading') return <Text color={theme.status.muted}>loading streams…</Text>;
  if (streams.state === 'error') {
    return (
      <ViewFrame onBack={() => done([fail(`Failed to get streams: ${streams.message}`)])} onQuit={quit}>
        {heading}
        <Text color={theme.status.error}>❌ Failed to get streams: {streams.message}</Text>
      </ViewFrame>
    );
  }
  const list = [...streams.value].sort(naturalOrder);
  if (list.length === 0) {
    return (
      <ViewFrame onBack={() => done()} onQuit={quit}>
        {heading}
        <Text color={theme.status.warning}>{'⚠️  '}No streams yet — start producers (7) or append events (13)</Text>
      </ViewFrame>
    );
  }
  const pick = (raw: string): Parsed => {
    if (/^\d+$/.test(raw) && !list.includes(raw)) {
      const s = list[Number(raw) - 1];
      return s
        ? { ok: true, value: s, shown: s }
        : { ok: false, error: `there is no stream ${raw}; pick 1-${list.length} or type a name` };
    }
    return list.includes(raw)
      ? { ok: true, value: raw }
      : { ok: false, error: `Stream '${raw}' not found in ${services.store}; pick one from the list` };
  };
  return (
    <Form
      heading={
        <Box flexDirection="column">
          {heading}
          <Text color={theme.status.info}>Available streams:</Text>
          {list.slice(0, LIST_MAX).map((s, i) => (
            <Text key={s}>
              {'  '}
              {i + 1}. {s}
            </Text>
          ))}
          {list.length > LIST_MAX && (
            <Text color={theme.status.muted}> … and {list.length - LIST_MAX} more (type the name)</Text>
          )}
        </Box>
      }
      fields={[
        {
          key: 'stream',
          prompt: `Enter stream name or number (default ${list[0]!}): `,
          defaultValue: list[0]!,
          parse: pick,
        },
        {
          key: 'pageSize',
          prompt: 'Number of events per page (default 10): ',
          defaultValue: '10',
          parse: (raw) => {
            const r = integerField('the page size', 1, 10)(raw);
            return r.ok && (r.value as number) > MAX_PAGE
              ? { ok: false, error: `at most ${MAX_PAGE} events per page` }
              : r;
          },
        },
      ]}
      onCancel={() => done()}
      onSubmit={({ stream, pageSize }) =>
        navigate({ screen: 'browser', stream: String(stream), pageSize: pageSize as number })
      }
    />
  );
}

/**
 * Option 12, second part: page forward and backward through a stream, payloads as coloured JSON. ↑/↓ select an
 * event (crossing pages at the edges), Enter opens its details, `e` exports the stream, `?` lists the keys.
 */
export function StreamBrowser({ stream, pageSize, done, quit }: ScreenProps & { stream: string; pageSize: number }) {
  const services = useServices();
  const [start, setStart] = useState(0);
  const [nonce, setNonce] = useState(0);
  // Row selected on the page; -1 asks for the last row of whatever page loads (moving up off a page).
  const [row, setRow] = useState(0);
  const [inspecting, setInspecting] = useState<EventRecord | undefined>();
  const [message, setMessage] = useState<ResultLine | undefined>();
  const { rows } = useTerminalSize();
  const page = usePolling(
    async () => {
      const version = await services.gater.api.getVersion(services.store, stream);
      const events =
        version < 0
          ? []
          : await services.gater.api.getEvents(services.store, stream, Math.min(start, version), pageSize, 'forward');
      return { version, events };
    },
    2000, // the stream may be growing (producers): keep the version range current
    [start, stream, pageSize, nonce],
  );
  const version = page.state === 'ready' ? page.value.version : -1;
  const events = page.state === 'ready' ? page.value.events : [];
  const lastStart = Math.max(0, Math.floor(Math.max(0, version) / pageSize) * pageSize);
  const selected = events.length ? Math.max(0, Math.min(row < 0 ? events.length - 1 : row, events.length - 1)) : -1;
  const go = (to: number, toRow = 0) => {
    const next = Math.max(0, Math.min(to, lastStart));
    if (next !== start) {
      setStart(next);
      setRow(toRow);
    }
  };

  const exportStream = () => {
    setMessage({ tone: 'info', text: `💾 Exporting ${stream}…` });
    openExport(services.gater.api, { store: services.store, source: stream })
      .then(({ events: all }) => exportEventsToFile(stream, all, services.exportDir))
      .then(
        ({ path, count }) =>
          setMessage({ tone: 'success', text: `💾 Exported ${plural(count, 'event')} of ${stream} to ${path}` }),
        (e: unknown) => setMessage({ tone: 'error', text: `❌ Export failed: ${toGaterError(e).message}` }),
      );
  };

  useKeys((input, key) => {
    if (key.escape || key.backspace) return done();
    if (input === 'q') return quit();
    if (key.upArrow) {
      if (selected > 0) setRow(selected - 1);
      else go(start - pageSize, -1);
    } else if (key.downArrow) {
      if (selected < events.length - 1) setRow(selected + 1);
      else go(start + pageSize, 0);
    } else if (key.return) {
      const e = events[selected];
      if (e) setInspecting(e);
    } else if (key.rightArrow || key.pageDown || input === 'n' || input === ' ') go(start + pageSize);
    else if (key.leftArrow || key.pageUp || input === 'p' || input === 'b') go(start - pageSize);
    else if (input === 'g' || key.home) go(0);
    else if (input === 'G' || key.end) go(lastStart);
    else if (input === 'r') setNonce((n) => n + 1);
    else if (input === 'e') exportStream();
  });
  const overlay = useKeymapOverlay('browser', { isActive: !inspecting });
  const ready = useInputReady();

  if (inspecting)
    return (
      <EventInspector
        event={inspecting}
        height={Math.max(8, rows - 12)}
        onClose={() => setInspecting(undefined)}
        onQuit={quit}
      />
    );
  return (
    <Box flexDirection="column">
      <Heading color={theme.status.success}>📄 Events from '{stream}':</Heading>
      {overlay}
      {!overlay && page.state === 'loading' && <Text color={theme.status.muted}>loading…</Text>}
      {!overlay && page.state === 'error' && (
        <Text color={theme.status.error}>❌ Failed to get events: {page.message}</Text>
      )}
      {!overlay && page.state === 'ready' && (
        <EventPage events={events} version={version} start={start} pageSize={pageSize} selected={selected} />
      )}
      {message && <Text color={toneColor(message.tone)}>{message.text}</Text>}
      {ready && (
        <Text color={theme.status.muted}>
          ↑/↓ select · Enter details · →/n next page · ←/p previous · g first · G last · e export · r refresh · ? keys ·
          Esc back · q quit
        </Text>
      )}
    </Box>
  );
}

function EventPage({
  events,
  version,
  start,
  pageSize,
  selected,
}: {
  events: EventRecord[];
  version: number;
  start: number;
  pageSize: number;
  selected: number;
}) {
  if (version < 0) return <Text color={theme.status.warning}>{'⚠️  '}The stream is empty</Text>;
  const first = events[0]?.eventNumber ?? start;
  const last = events.at(-1)?.eventNumber ?? start;
  const pages = Math.floor(version / pageSize) + 1;
  return (
    <Box flexDirection="column">
      <Text color={theme.status.muted}>
        versions {first}–{last} of 0–{version} · page {Math.floor(start / pageSize) + 1}/{pages}
      </Text>
      {events.map((e, i) => (
        <Box key={e.eventNumber}>
          <Text color={theme.ui.selected}>{i === selected ? '❯ ' : '  '}</Text>
          <Text color={theme.event.appended} inverse={i === selected}>
            {`v${e.eventNumber}`.padEnd(7)}
          </Text>
          <Text color={theme.status.info}>{e.eventType.padEnd(28)}</Text>
          <Text color={theme.status.muted}>{clock(e.created)} </Text>
          <ColoredJson value={e.data} />
        </Box>
      ))}
    </Box>
  );
}

/** greenhouse2 before greenhouse10. */
function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}
