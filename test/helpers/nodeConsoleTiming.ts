/**
 * Node's own global console has `timeStamp` (an inspector hook); vitest swaps in a Console without it. React's
 * development build checks for it once, when it loads, to decide whether to record a performance measure per
 * component render, so tests that care about what a real terminal session retains import this first.
 */
const c = console as Console & { timeStamp?: (label?: string) => void };
if (typeof c.timeStamp !== 'function') c.timeStamp = () => {};
