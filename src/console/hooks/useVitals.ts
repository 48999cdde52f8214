import { useEffect, useRef, useState } from 'react';
import { useServices } from '../contexts/ConsoleContext.js';
import type { VitalsSnapshot } from '../vitals.js';

/**
 * The console's vital signs, refreshed once a second on the one shared clock (ConsoleVitals): every view using
 * this updates in the same frame.
 */
export function useVitals(): VitalsSnapshot {
  const { vitals } = useServices();
  const [snap, setSnap] = useState(() => vitals.current);
  useEffect(() => vitals.subscribe(setSnap), [vitals]);
  return snap;
}

/**
 * Runs `onTick` on the shared vitals clock (once a second), in the same frame as the header's refresh. The
 * latest `onTick` is called; a new closure each render does not resubscribe.
 */
export function useVitalsClock(onTick: (s: VitalsSnapshot) => void): void {
  const { vitals } = useServices();
  const latest = useRef(onTick);
  latest.current = onTick;
  useEffect(() => vitals.subscribe((s) => latest.current(s)), [vitals]);
}
