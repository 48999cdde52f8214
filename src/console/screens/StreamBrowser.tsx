import { Box, Text } from 'ink';
import { useState } from 'react';
import type { EventRecord } from '../../core/index.js';
import { ColoredJson } from '../components/ColoredJson.js';
import { Form, integerField, type Parsed } from '../components/Form.js';
import { Heading, ViewFrame } from '../components/Notice.js';
import { fail } from '../components/ResultBlock.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { clock } from '../format.js';
import { usePolling } from '../hooks/usePolling.js';
import { theme } from '../theme.js';
import type { ScreenProps } from './types.js';

/** Streams listed before the prompt; more would push the prompt off screen. */
const LIST_MAX = 20;
const MAX_PAGE = 100;

/** Option 12 — View Stream Data, first part: pick a stream and a page size. */
export function PickStream({ done, navigate, quit }: ScreenProps) {
  const services = useServices();
  const streams = usePolling(() => services.gater.api.getStreams(services.store), 0);
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

/** Option 12, second part: page forward and backward through a stream, payloads as coloured JSON. */
export function StreamBrowser({ stream, pageSize, done, quit }: ScreenProps & { stream: string; pageSize: number }) {
  const services = useServices();
  const [start, setStart] = useState(0);
  const [nonce, setNonce] = useState(0);
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
  const lastStart = Math.max(0, Math.floor(Math.max(0, version) / pageSize) * pageSize);
  const go = (to: number) => setStart(Math.max(0, Math.min(to, lastStart)));
  return (
    <ViewFrame
      onBack={() => done()}
      onQuit={quit}
      hints="→/n next page · ←/p previous · g first · G last · r refresh · Esc back · q quit"
      onKey={(input, key) => {
        if (key.rightArrow || key.pageDown || input === 'n' || input === ' ') go(start + pageSize);
        else if (key.leftArrow || key.pageUp || input === 'p' || input === 'b') go(start - pageSize);
        else if (input === 'g' || key.home) go(0);
        else if (input === 'G' || key.end) go(lastStart);
        else if (input === 'r') setNonce((n) => n + 1);
      }}
    >
      <Heading color={theme.status.success}>📄 Events from '{stream}':</Heading>
      {page.state === 'loading' && <Text color={theme.status.muted}>loading…</Text>}
      {page.state === 'error' && <Text color={theme.status.error}>❌ Failed to get events: {page.message}</Text>}
      {page.state === 'ready' && (
        <EventPage events={page.value.events} version={version} start={start} pageSize={pageSize} />
      )}
    </ViewFrame>
  );
}

function EventPage({
  events,
  version,
  start,
  pageSize,
}: {
  events: EventRecord[];
  version: number;
  start: number;
  pageSize: number;
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
      {events.map((e) => (
        <Box key={e.eventNumber}>
          <Text color={theme.event.appended}>{`v${e.eventNumber}`.padEnd(7)}</Text>
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
