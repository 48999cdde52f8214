import { performance } from 'node:perf_hooks';

/**
 * React's development build (any NODE_ENV but `production`) records a performance measure for every component
 * render, with the changed props in its details, and Node keeps each measure in the global timeline until it is
 * cleared: a live view drawing 30 frames a second grew the heap by hundreds of megabytes. The console runs
 * React's production build (bin sets NODE_ENV), and clears the timeline on a clock for when it does not.
 * Nothing in this process reads performance measures, so dropping them loses nothing.
 */
export function startUserTimingJanitor(everyMs = 1000): () => void {
  const t = setInterval(() => performance.clearMeasures(), everyMs);
  t.unref();
  return () => {
    clearInterval(t);
    performance.clearMeasures();
  };
}
