import type { EventRecord } from '../types.js';
import type { GaterApi } from './gaterApi.js';

/** Read all of a stream (`read --count all`): large enough that paging, not the count, ends the read. */
export const ALL_EVENTS = Number.MAX_SAFE_INTEGER;

/**
 * A stream from `from` onwards, then live, like `tail -f`: history is read page by page, and a transient
 * `by_stream` subscription starting right after the last event read delivers the rest. The subscription replays
 * from its start version before going live, so nothing appended between the last page and the subscription is
 * lost or repeated. Ends when `signal` aborts (the subscription is closed then).
 */
export async function* tailStream(
  api: GaterApi,
  store: string,
  stream: string,
  from: number,
  signal: AbortSignal,
): AsyncGenerator<EventRecord> {
  let next = from;
  for await (const e of api.streamForward(store, stream, from, ALL_EVENTS)) {
    if (signal.aborted) return;
    yield e;
    next = e.eventNumber + 1;
  }
  const queue: EventRecord[] = [];
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  signal.addEventListener('abort', poke, { once: true });
  const sub = await api.saveSubscription(store, 'by_stream', `$${stream}`, 'transient', next, (events) => {
    queue.push(...events);
    poke();
  });
  try {
    while (!signal.aborted) {
      const e = queue.shift();
      if (e === undefined) {
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      // A redelivery after a failover may repeat what was yielded; versions only go up.
      if (e.eventNumber < next) continue;
      next = e.eventNumber + 1;
      yield e;
    }
  } finally {
    signal.removeEventListener('abort', poke);
    await sub.close();
  }
}
