import { Box, Text } from 'ink';
import { useState, type ReactNode } from 'react';
import { LiveLog, matchesFilter } from '../components/LiveLog.js';
import { ResultBlock } from '../components/ResultBlock.js';
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
import type { ResultLine } from '../menu.js';
import { theme } from '../theme.js';
import type { ScreenProps } from './types.js';

/** Rows the shell and this view use around the log (banner, heading, status bar, log pane). */
const CHROME_ROWS = 16;

export interface FeedMonitorProps {
  heading: ReactNode;
  feed: LineFeed | undefined;
  /** Checked twice a second; when false the view says so (the feed keeps what it had). */
  running: () => boolean;
  stoppedText: string;
  onBack: () => void;
  onQuit: () => void;
}

/**
 * The live monitor: a ring-buffer-backed log drawn at most ~30 times a second, space to pause and resume,
 * `/` to filter with the matches highlighted, events per second in the status bar.
 */
export function FeedMonitor({ heading, feed, running, stoppedText, onBack, onQuit }: FeedMonitorProps) {
  const [paused, setPaused] = useState(false);
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [alive, setAlive] = useState(running);
  const view = useObserverFeed(feed, paused);
  const vitals = useVitals();
  const { rows } = useTerminalSize();

  useVitalsClock(() => setAlive(running()));

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
    if (input === ' ') setPaused((p) => !p);
    else if (input === '/') {
      setDraft(filter);
      setEditing(true);
    } else if (key.escape) {
      if (filter) setFilter('');
      else onBack();
    } else if (input === 'q') onQuit();
  });
  const ready = useInputReady();

  const matching = filter ? view.lines.filter((l) => matchesFilter(l, filter)) : view.lines;
  const height = Math.max(3, rows - CHROME_ROWS);
  return (
    <Box flexDirection="column">
      {heading}
      {!alive && <Text color={theme.status.error}>{stoppedText}</Text>}
      <LiveLog
        lines={matching}
        height={height}
        highlight={filter}
        emptyText={filter ? `no line matches /${filter}/ yet` : 'waiting for events…'}
      />
      <StatusBar
        paused={paused}
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
            ? `space ${paused ? 'resume' : 'pause'} · / filter${filter ? ' · Esc clear filter' : ' · Esc back'} · q quit`
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
      onBack={() => done()}
      onQuit={quit}
    />
  );
}

/** After option 10: the subscription's RECEIVED lines (each acked as it arrives). */
export function SubscriptionFeedView({
  name,
  result,
  done,
  quit,
}: ScreenProps & { name: string; result: ResultLine[] }) {
  const services = useServices();
  const sub = services.subscription(name);
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
            acked as it is shown
          </Text>
        </Box>
      }
      feed={sub?.feed}
      running={() => services.subscription(name)?.status === 'Running'}
      stoppedText={`💀 Subscription '${name}' is no longer running`}
      onBack={() => done(result)}
      onQuit={quit}
    />
  );
}
