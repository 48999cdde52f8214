import { useEffect, useState } from 'react';

/** Frame budget of live views: ~30 fps, whatever the event rate (DESIGN §10). */
export const FRAME_MS = 33;

/**
 * Re-renders when `subscribe`'s source signals, at most once per `frameMs`. Sources may signal thousands of
 * times a second; only the first signal of a frame arms a timer, the rest cost a comparison.
 * Returns a counter that changes with every flushed frame.
 */
export function useThrottledSubscription(
  subscribe: ((onChange: () => void) => () => void) | undefined,
  frameMs = FRAME_MS,
): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!subscribe) return;
    let timer: NodeJS.Timeout | undefined;
    let last = 0;
    const flush = () => {
      timer = undefined;
      last = Date.now();
      setTick((t) => t + 1);
    };
    const unsubscribe = subscribe(() => {
      if (timer) return;
      timer = setTimeout(flush, Math.max(0, frameMs - (Date.now() - last)));
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [subscribe, frameMs]);
  return tick;
}
