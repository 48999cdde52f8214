import { useEffect, useRef, useState } from 'react';
import { toGaterError } from '../../core/index.js';

export type Polled<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string };

/**
 * Runs `load` now and every `everyMs` (0 = once) while mounted; keeps the last good value while a refresh runs.
 * Errors become a message, never a thrown render.
 */
export function usePolling<T>(load: () => Promise<T>, everyMs = 1000, deps: unknown[] = []): Polled<T> {
  const [polled, setPolled] = useState<Polled<T>>({ state: 'loading' });
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let alive = true;
    let busy = false;
    const run = () => {
      if (busy) return;
      busy = true;
      loadRef
        .current()
        .then(
          (value) => alive && setPolled({ state: 'ready', value }),
          (e: unknown) => alive && setPolled({ state: 'error', message: toGaterError(e).message }),
        )
        .finally(() => {
          busy = false;
        });
    };
    run();
    const t = everyMs > 0 ? setInterval(run, everyMs) : undefined;
    return () => {
      alive = false;
      if (t) clearInterval(t);
    };
    // `load` is read through a ref so a new closure each render does not restart the timer; `deps` restart it.
  }, [everyMs, ...deps]);
  return polled;
}
