/**
 * A tiny synchronous emitter for a discriminated union of events (`{ type: ... }`). Listener errors are
 * handed to `onError` instead of propagating: gossip emits from socket callbacks, where a throw would
 * crash the process.
 */
export class TypedEmitter<E extends { type: string }> {
  private readonly byType = new Map<E['type'], Set<(e: E) => void>>();
  private readonly any = new Set<(e: E) => void>();

  constructor(private readonly onError: (err: unknown, event: E) => void = () => {}) {}

  /** Listens to one event type; returns the unsubscribe function. */
  on<T extends E['type']>(type: T, fn: (e: Extract<E, { type: T }>) => void): () => void {
    let set = this.byType.get(type);
    if (!set) this.byType.set(type, (set = new Set()));
    const f = fn as (e: E) => void;
    set.add(f);
    return () => void set.delete(f);
  }

  /** Listens to every event; returns the unsubscribe function. */
  subscribe(fn: (e: E) => void): () => void {
    this.any.add(fn);
    return () => void this.any.delete(fn);
  }

  emit(e: E): void {
    // Copy first so a listener that unsubscribes during delivery does not skip its neighbours.
    for (const fn of [...(this.byType.get(e.type) ?? []), ...this.any]) {
      try {
        fn(e);
      } catch (err) {
        this.onError(err, e);
      }
    }
  }
}
