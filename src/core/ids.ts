import { monotonicFactory } from 'ulid';

/**
 * ULIDs for event and subscription ids. One monotonic factory: ids sort in creation order within a
 * millisecond, and it costs well under a microsecond where a fresh `ulid()` costs ~30 µs (new randomness per call).
 */
export const newId: () => string = monotonicFactory();
