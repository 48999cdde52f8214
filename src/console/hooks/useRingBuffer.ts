import { useCallback, useRef, useState } from 'react';
import type { FeedLine, LineFeed } from '../feed.js';
import { RateMeter } from '../ringBuffer.js';
import { useThrottledSubscription } from './useThrottledSubscription.js';
import { useVitalsClock } from './useVitals.js';

/** The events/s figure's sliding window. */
export const RATE_WINDOW_MS = 5000;

export interface FeedView {
  /** Lines to draw: the live buffer, or the snapshot taken when paused. */
  lines: FeedLine[];
  /** Everything the feed ever received. */
  total: number;
  /** Lines that arrived since the pause (0 when live). */
  sincePause: number;
  /** Events per second over the last few seconds (RATE_WINDOW_MS). */
  rate: number;
  capacity: number;
}

/**
 * A throttled, pausable view of a LineFeed (the live monitor's data side). Counting never pauses: a paused
 * view freezes what it draws, not what it counts.
 */
export function useObserverFeed(feed: LineFeed | undefined, paused: boolean, frameMs?: number): FeedView {
  const subscribe = useCallback((onChange: () => void) => (feed ? feed.subscribe(onChange) : () => {}), [feed]);
  useThrottledSubscription(feed ? subscribe : undefined, frameMs);
  const meter = useRef(new RateMeter(RATE_WINDOW_MS));
  const [rate, setRate] = useState(0);
  const frozen = useRef<{ lines: FeedLine[]; total: number } | undefined>(undefined);

  // The rate is sampled on a clock, not per event, so it decays to 0 when the feed goes quiet. Over a window of
  // several seconds a slow feed reads steady (1.5 ev/s, not 0 and 3 by turns); the clock is the header's, so the
  // figure and the header change in the same frame.
  useVitalsClock(() => setRate(feed ? meter.current.sample(feed.total) : 0));

  if (!feed) return { lines: [], total: 0, sincePause: 0, rate: 0, capacity: 0 };
  if (paused) frozen.current ??= { lines: feed.lines(), total: feed.total };
  else frozen.current = undefined;
  const snap = frozen.current;
  return {
    lines: snap ? snap.lines : feed.lines(),
    total: feed.total,
    sincePause: snap ? feed.total - snap.total : 0,
    rate,
    capacity: feed.buffer.capacity,
  };
}
