import type { LogFn } from '../log.js';

/** What an emitter does with a listener that threw: log it (and go on with the other listeners). */
export type ListenerErrorHandler<E> = (err: unknown, event: E) => void;

/**
 * The one event emitter of the project, for a discriminated union of events (`{ type: ... }`), synchronous.
 * A listener that throws is reported to `onError` (by default a warning naming the emitter) and never stops the
 * other listeners or the emitter: events are emitted from socket callbacks and timers, where a throw would crash
 * the process, and a broken view must not break cluster bookkeeping.
 */
export class TypedEmitter<E extends { type: string }> {
  private readonly byType = new Map<E['type'], Set<(e: E) => void>>();
  private readonly any = new Set<(e: E) => void>();
  private readonly onError: ListenerErrorHandler<E>;

  /** @param onError where a throwing listener is reported; a LogFn-backed one from {@link logListenerErrors}. */
  constructor(onError: ListenerErrorHandler<E> | string = 'events') {
    this.onError = typeof onError === 'string' ? warnListenerErrors(onError) : onError;
  }

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

  /** Number of listeners (all types). */
  get listenerCount(): number {
    let n = this.any.size;
    for (const s of this.byType.values()) n += s.size;
    return n;
  }

  /** Drops every listener. */
  clear(): void {
    this.byType.clear();
    this.any.clear();
  }

  emit(e: E): void {
    // Copy first so a listener that unsubscribes during delivery does not skip its neighbours.
    for (const fn of [...(this.byType.get(e.type) ?? []), ...this.any]) {
      try {
        fn(e);
      } catch (err) {
        try {
          this.onError(err, e);
        } catch {
          // the reporter itself failed (a closed terminal): the emitter still goes on
        }
      }
    }
  }
}

/** Reports a throwing listener as an error line of `log`, tagged with the emitter's name. */
export function logListenerErrors<E extends { type: string }>(log: LogFn, name: string): ListenerErrorHandler<E> {
  return (err, e) => log('error', `[${name}] a listener of "${e.type}" threw: ${message(err)}`);
}

/** Without a log: a process warning (stderr), so the failure is seen rather than swallowed. */
function warnListenerErrors<E extends { type: string }>(name: string): ListenerErrorHandler<E> {
  return (err, e) => process.emitWarning(`[${name}] a listener of "${e.type}" threw: ${message(err)}`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
