import { Box, Text } from 'ink';
import { useRef, useState, type ReactNode } from 'react';
import { plural, toGaterError, type EventRecord, type NackAction } from '../../core/index.js';
import { EventInspector } from '../components/EventInspector.js';
import { useKeymapOverlay } from '../components/KeymapOverlay.js';
import { exportEventsToFile } from '../exportView.js';
import { mergeHeld, moveBy, selectIndex, startScroll, windowOf, type Scroll } from '../scrollback.js';
import { LiveLog, matchesFilter } from '../components/LiveLog.js';
import { ResultBlock, ok, warn } from '../components/ResultBlock.js';
import { StatusBar } from '../components/StatusBar.js';
import { TextField } from '../components/TextField.js';
import { useServices } from '../contexts/ConsoleContext.js';
import type { LineFeed } from '../feed.js';
import { inspectSelector } from '../format.js';
import { useObserverFeed } from '../hooks/useRingBuffer.js';
import { useInputReady } from '../hooks/useInputReady.js';
import { useKeys } from '../input/KeyRouter.js';
import { useVitals, useVitalsClock } from '../hooks/useVitals.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
import type { ResultLine, Route } from '../menu.js';
import { theme, toneColor } from '../theme.js';
import type { ScreenProps } from './types.js';

/** Rows the shell and this view use around the log (banner, heading, status bar, log pane). */
const CHROME_ROWS = 16;

export interface FeedMonitorProps {
  heading: ReactNode;
  feed: LineFeed | undefined;
  /** Checked twice a second; when false the view says so (the feed keeps what it had). */
  running: () => boolean;
  stoppedText: string;
  /** Names `e`'s export file (the observer's or subscription's name). */
  exportLabel: string;
  onBack: () => void;
  onQuit: () => void;
  /**
   * Keys this view adds (a subscription's hold mode): each gets the selected event (undefined when none is
   * selected) and returns the line to show.
   */
  eventKeys?: { key: string; label: string; run: (e: EventRecord | undefined) => Promise<ResultLine> | ResultLine }[];
  /** A note for the status line (e.g. how many events are held), read at each frame. */
  note?: () => string | undefined;
}

/**
 * The live monitor: a ring-buffer-backed log drawn at most ~30 times a second, space to pause and resume,
 * `/` to filter with the matches highlighted, events per second in the status bar. ↑/↓, PgUp/PgDn and g scroll
 * back through the buffer (new lines keep arriving below, the window stays put), Enter opens an event's details,
 * `e` exports what is shown, `?` lists the keys.
 */
export function FeedMonitor({
  heading,
  feed,
  running,
  stoppedText,
  exportLabel,
  onBack,
  onQuit,
  eventKeys = [],
  note,
}: FeedMonitorProps) {
  const [paused, setPaused] = useState(false);
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [alive, setAlive] = useState(running);
  const [scroll, setScrollState] = useState<Scroll | undefined>();
  const [inspecting, setInspecting] = useState<EventRecord | undefined>();
  const [message, setMessage] = useState<ResultLine | undefined>();
  const services = useServices();
  const view = useObserverFeed(feed, paused);
  const vitals = useVitals();
  const { rows } = useTerminalSize();

  useVitalsClock(() => setAlive(running()));

  const merged = scroll ? mergeHeld(scroll.held, view.lines) : view.lines;
  const matching = filter ? merged.filter((l) => matchesFilter(l, filter)) : merged;
  const height = Math.max(3, rows - CHROME_ROWS - (message ? 1 : 0));
  // Keys may come faster than renders: they act on what the last render drew, and on the scroll they set.
  const live = useRef({ matching, merged, scroll, height, total: view.total });
  live.current = {
    matching,
    merged,
    scroll: live.current.scroll,
    height,
    total: view.total,
  };
  const setScroll = (s: Scroll | undefined) => {
    live.current.scroll = s;
    setScrollState(s);
  };

  const exportShown = () => {
    const events = live.current.matching.flatMap((l) => (l.event ? [l.event] : []));
    if (events.length === 0) return setMessage({ tone: 'warning', text: '⚠️  No events shown, nothing to export' });
    exportEventsToFile(exportLabel, events, services.exportDir).then(
      ({ path, count }) => setMessage({ tone: 'success', text: `💾 Exported ${plural(count, 'event')} to ${path}` }),
      (e: unknown) => setMessage({ tone: 'error', text: `❌ Export failed: ${toGaterError(e).message}` }),
    );
  };

  useKeys((input, key) => {
    // Ctrl-C leaves the view, as in scripted `observe`; at the menu a second one quits.
    if (key.ctrl && input === 'c') {
      onBack();
      return true;
    }
    if (editing) {
      if (key.escape) setEditing(false);
      return; // the filter's text field has the other keys
    }
    const { matching, merged, scroll, height, total } = live.current;
    const begin = () => {
      const s = startScroll(matching, height, total);
      return s && { ...s, held: merged };
    };
    const index = () => matching.findIndex((l) => l.seq >= (scroll?.selectedSeq ?? Infinity));
    if (key.upArrow || key.downArrow) {
      if (!scroll) setScroll(begin());
      else setScroll(moveBy(matching, scroll, height, key.upArrow ? -1 : 1));
    } else if (key.pageUp || key.pageDown) {
      const s = scroll ?? begin();
      if (s) setScroll(moveBy(matching, s, height, key.pageUp ? -height : height));
    } else if (input === 'g' || key.home) {
      const s = scroll ?? begin();
      if (s) setScroll(selectIndex(matching, s, height, 0));
    } else if (input === 'G' || key.end) setScroll(undefined);
    else if (key.return) {
      const line = scroll ? matching[index() < 0 ? matching.length - 1 : index()] : matching.findLast((l) => l.event);
      if (line?.event) setInspecting(line.event);
      else setMessage({ tone: 'warning', text: '⚠️  No event on that line (↑/↓ select an event line)' });
    } else if (input === ' ') setPaused((p) => !p);
    else if (input === '/') {
      setDraft(filter);
      setEditing(true);
    } else if (input === 'e') exportShown();
    else if (eventKeys.some((k) => k.key === input)) {
      const line = scroll ? matching[index()] : undefined;
      const action = eventKeys.find((k) => k.key === input)!;
      void Promise.resolve()
        .then(() => action.run(line?.event))
        .then(setMessage, (err: unknown) => setMessage({ tone: 'error', text: `❌ ${toGaterError(err).message}` }));
    } else if (key.escape) {
      if (scroll) setScroll(undefined);
      else if (filter) setFilter('');
      else onBack();
    } else if (input === 'q') onQuit();
  });
  const overlay = useKeymapOverlay('monitor', { isActive: !editing && !inspecting });
  const ready = useInputReady();

  const win = windowOf(matching, scroll, height);
  const noteText = note?.();
  return (
    <Box flexDirection="column">
      {heading}
      {!alive && <Text color={theme.status.error}>{stoppedText}</Text>}
      {inspecting ? (
        <EventInspector event={inspecting} height={height} onClose={() => setInspecting(undefined)} onQuit={onQuit} />
      ) : (
        (overlay ?? (
          <LiveLog
            lines={win.shown}
            height={height}
            highlight={filter}
            selected={scroll ? win.selected : undefined}
            emptyText={filter ? `no line matches /${filter}/ yet` : 'waiting for events…'}
          />
        ))
      )}
      {message && !inspecting && <Text color={toneColor(message.tone)}>{message.text}</Text>}
      <StatusBar
        paused={paused}
        scrolledNew={scroll ? view.total - scroll.heldTotal : undefined}
        rate={view.rate}
        total={view.total}
        buffered={view.lines.length}
        capacity={view.capacity}
        sincePause={view.sincePause}
        filter={filter}
        shown={matching.length}
        memory={vitals.memory}
        hints={
          ready
            ? (noteText ? `${noteText} · ` : '') +
              (eventKeys.length ? `${eventKeys.map((k) => k.label).join(' · ')} · ` : '') +
              (scroll
                ? '↑/↓ PgUp/PgDn g select · Enter details · G/Esc live · e export · ? keys · q quit'
                : `↑ select · Enter details · space ${paused ? 'resume' : 'pause'} · / filter · e export${filter ? ' · Esc clear filter' : ' · Esc back'} · ? keys · q quit`)
            : undefined
        }
      >
        {editing ? (
          <FilterField
            value={draft}
            onChange={setDraft}
            onSubmit={(v) => {
              setFilter(v.trim());
              setEditing(false);
            }}
          />
        ) : undefined}
      </StatusBar>
    </Box>
  );
}

/** The `/` prompt; its full text appears once it hears keys (see useInputReady). */
function FilterField(props: { value: string; onChange: (v: string) => void; onSubmit: (v: string) => void }) {
  const ready = useInputReady();
  return (
    <Box>
      <TextField prompt={ready ? '/ filter (Enter apply, empty clears, Esc cancel): ' : '/ filter: '} {...props} />
    </Box>
  );
}

/** Option 5's live view of one observer's SEEN lines. */
export function ObserverMonitor({ name, done, quit }: ScreenProps & { name: string }) {
  const services = useServices();
  const observer = services.observers.get(name);
  const feed = services.observerFeed(name);
  return (
    <FeedMonitor
      heading={
        <Box flexDirection="column">
          <Text color={theme.section.monitor} bold>
            {'👁️  Monitoring Observer: '}
            {name}
          </Text>
          <Text color={theme.status.info} wrap="truncate-end">
            Type: {observer?.type ?? '?'}, Selector: {observer ? inspectSelector(observer.selector) : '?'}
          </Text>
        </Box>
      }
      feed={feed}
      running={() => services.observers.get(name)?.status === 'Running'}
      stoppedText={`💀 Observer '${name}' is no longer running`}
      exportLabel={name}
      onBack={() => done()}
      onQuit={quit}
    />
  );
}

/** After option 10: the subscription's RECEIVED lines (each acked as it arrives). */
export function SubscriptionFeedView({
  name,
  result,
  back,
  done,
  navigate,
  quit,
}: ScreenProps & { name: string; result: ResultLine[]; back?: Route }) {
  const services = useServices();
  const sub = services.subscription(name);
  // Hold mode: the selected held event (or, with none selected, the oldest held one) is decided on.
  const decide = (action: 'ack' | NackAction, done: string) => async (e: EventRecord | undefined) => {
    const s = services.subscription(name);
    if (!s?.holding && s?.held.size === 0) return warn('h holds events first (they are acked as shown until then)');
    const target = e && s?.held.has(e.position) ? e : e ? undefined : oldestHeld(s);
    if (!s || !target)
      return warn(e ? 'that event is not held (already acknowledged): select a held one' : 'no event is held');
    await s.decide(target, action);
    return ok(`${target.eventStreamId}:v${target.eventNumber} ${done}`);
  };
  return (
    <FeedMonitor
      heading={
        <Box flexDirection="column">
          <ResultBlock lines={result} />
          <Text color={theme.section.subscriptions} bold>
            📡 Subscription: {name}
          </Text>
          <Text color={theme.status.info} wrap="truncate-end">
            Selector: {sub ? JSON.stringify(sub.selector) : '?'}, from {sub?.startFrom ?? 0} — each RECEIVED event is
            acked as it is shown (h holds them for a/n/x/k)
          </Text>
        </Box>
      }
      feed={sub?.feed}
      running={() => services.subscription(name)?.status === 'Running'}
      stoppedText={`💀 Subscription '${name}' is no longer running`}
      exportLabel={name}
      onBack={() => (back ? navigate(back) : done(result))}
      onQuit={quit}
      note={() => {
        const s = services.subscription(name);
        return s?.holding || s?.held.size ? `✋ HOLD ${s.held.size} held` : undefined;
      }}
      eventKeys={[
        {
          key: 'h',
          label: sub?.holding ? 'h release' : 'h hold',
          run: async () => {
            const s = services.subscription(name);
            if (!s) return warn(`subscription '${name}' is not attached to this console`);
            const n = s.held.size;
            await s.setHolding(!s.holding);
            return s.holding
              ? ok(
                  'Holding: new events are shown, not acknowledged — a ack, n retry, x park, k skip (selected or oldest)',
                )
              : ok(`Released: ${plural(n, 'held event')} acknowledged; events are acked as shown again`);
          },
        },
        { key: 'a', label: 'a ack', run: decide('ack', 'acknowledged') },
        { key: 'n', label: 'n retry', run: decide('retry', 'sent back for redelivery') },
        { key: 'x', label: 'x park', run: decide('park', 'parked (see option 11, p)') },
        { key: 'k', label: 'k skip', run: decide('skip', 'skipped') },
      ]}
    />
  );
}

function oldestHeld(s: { held: ReadonlyMap<number, EventRecord> } | undefined): EventRecord | undefined {
  let oldest: EventRecord | undefined;
  for (const e of s?.held.values() ?? []) if (!oldest || e.position < oldest.position) oldest = e;
  return oldest;
}
