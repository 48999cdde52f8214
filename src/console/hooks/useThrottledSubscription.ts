import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { FramePacer } from '../framePacer.js';

/** Shortest frame interval of live views: ~30 fps at most, whatever the event rate (DESIGN §10). */
export const FRAME_MS = 33;

/**
 * Re-renders when `subscribe`'s source signals, on a clock rather than per signal: sources may signal thousands
 * of times a second; only the first signal of a frame arms a timer, the rest cost a comparison. Frames are at
 * least `frameMs` apart, and further when they are costly (see FramePacer): what a frame took is measured from
 * this component's render to its layout effect, which runs after Ink has drawn the committed tree.
 * Returns a counter that changes with every flushed frame.
 */
export function useThrottledSubscription(
  subscribe: ((onChange: () => void) => () => void) | undefined,
  frameMs = FRAME_MS,
): number {
  const [tick, setTick] = useState(0);
  const pacer = useRef<FramePacer | undefined>(undefined);
  if (pacer.current?.minMs !== frameMs) pacer.current = new FramePacer(frameMs);
  const renderedAt = performance.now();
  useLayoutEffect(() => {
    if (tick > 0) pacer.current?.record(performance.now() - renderedAt);
  }, [tick]);
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
      const interval = pacer.current?.intervalMs ?? frameMs;
      timer = setTimeout(flush, Math.max(0, interval - (Date.now() - last)));
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [subscribe, frameMs]);
  return tick;
}
