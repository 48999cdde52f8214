import { GaterError, invalidArgument, toGaterError } from '../errors.js';
import type { GaterApi } from '../api/gaterApi.js';
import { normaliseSelector } from '../matching.js';
import type { EventRecord, Selector, SubscriptionType } from '../types.js';
import { validateName, validateSubscriptionType } from '../validation.js';
import { TypedEmitter } from '../util/typedEmitter.js';

export type ObserverStatus = 'Running' | 'Stopped';

export interface ObserverInfo {
  name: string;
  type: SubscriptionType;
  selector: Selector;
  topic: string;
  status: ObserverStatus;
  /** Events seen since the observer started. */
  seen: number;
  /** ISO time of the last event seen, null before the first. */
  lastEventAt: string | null;
  startedAt: string;
}

export interface CreateObserverOptions {
  /**
   * Where to start: a stream version for `$<stream>`, a global position otherwise. Default: live only
   * (from the current end), so a new observer does not replay the whole store.
   */
  startFrom?: number;
  /** Attached before the subscription starts, so even the first replayed batch reaches it. */
  listener?: (events: EventRecord[]) => void;
}

type Listener = (events: EventRecord[]) => void;

/** A live view on one subscription: counts what it sees and fans batches out to its listeners. */
export class Observer {
  seen = 0;
  /** When the last event arrived (ms since the epoch; formatted only when asked: events come one at a time). */
  private lastEventMs: number | undefined;
  status: ObserverStatus = 'Running';
  /** Why the subscription ended by itself, if it did. */
  error: GaterError | undefined;
  readonly startedAt = new Date().toISOString();
  // A view that throws must not stop the count or the other views; it is reported, not swallowed.
  private readonly events = new TypedEmitter<{ type: 'events'; events: EventRecord[] }>('Observer');
  private close: (() => Promise<void>) | undefined;
  topic = '';

  constructor(
    readonly name: string,
    readonly type: SubscriptionType,
    readonly selector: Selector,
  ) {}

  /** Receives every later batch; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    return this.events.subscribe((e) => listener(e.events));
  }

  /** @internal */
  receive(events: EventRecord[]): void {
    this.seen += events.length;
    this.lastEventMs = Date.now();
    this.events.emit({ type: 'events', events });
  }

  /** @internal */
  attach(topic: string, close: () => Promise<void>): void {
    this.topic = topic;
    this.close = close;
  }

  /** @internal The subscription ended: by stop() (no error) or by itself (the error says why). */
  ended(error: GaterError | void): void {
    if (error) this.error = error;
    this.status = 'Stopped';
  }

  async stop(): Promise<void> {
    if (this.status === 'Stopped') return;
    this.status = 'Stopped';
    this.events.clear();
    await this.close?.();
  }

  info(): ObserverInfo {
    return {
      name: this.name,
      type: this.type,
      selector: this.selector,
      topic: this.topic,
      status: this.status,
      seen: this.seen,
      lastEventAt: this.lastEventMs === undefined ? null : new Date(this.lastEventMs).toISOString(),
      startedAt: this.startedAt,
    };
  }
}

/**
 * The console's observer registry (reference §7.5), shared by the Ink console and scripted `observe`:
 * named observers over transient subscriptions, with status derived live.
 */
export class ObserverRegistry {
  private readonly observers = new Map<string, Observer>();

  constructor(
    private readonly api: GaterApi,
    readonly store: string,
  ) {}

  /** Starts an observer. Names are unique among running observers; a stopped one's name may be reused. */
  async create(
    name: string,
    type: SubscriptionType | string,
    selector: unknown,
    options: CreateObserverOptions = {},
  ): Promise<Observer> {
    const trimmed = validateName('observer', name);
    const existing = this.observers.get(trimmed);
    if (existing?.status === 'Running') {
      throw invalidArgument(`an observer named "${trimmed}" is already running; stop it first or pick another name`);
    }
    const t = validateSubscriptionType(type);
    const sel = normaliseSelector(t, selector);
    const startFrom = options.startFrom ?? (await this.api.liveStart(this.store, t, sel));
    const observer = new Observer(trimmed, t, sel);
    if (options.listener) observer.on(options.listener);
    // The one subscription handle (as subscriptions and scenarios use), read a delivery at a time; `closed()`
    // says when and why the subscription ended, so an observer whose store went away shows Stopped, not Running.
    const handle = await this.api.subscribe(this.store, t, sel, { startFrom });
    observer.attach(handle.topic, () => handle.close());
    void (async () => {
      for await (const batch of handle.batches()) observer.receive(batch);
      observer.ended(await handle.closed());
    })();
    this.observers.set(trimmed, observer);
    return observer;
  }

  get(name: string): Observer | undefined {
    return this.observers.get(name.trim());
  }

  list(): ObserverInfo[] {
    return [...this.observers.values()].map((o) => o.info());
  }

  /** Stops and forgets an observer. Resolves 'stopped', or 'already_stopped' if it had ended. */
  async stop(name: string): Promise<'stopped' | 'already_stopped'> {
    const o = this.observers.get(name.trim());
    if (!o) throw new GaterError('not_found', `observer "${name}" not found; list observers to see their names`);
    this.observers.delete(o.name);
    if (o.status === 'Stopped') return 'already_stopped';
    await o.stop();
    return 'stopped';
  }

  /** Stops every observer (console exit). Returns the names stopped. */
  async stopAll(): Promise<string[]> {
    const names: string[] = [];
    for (const o of this.observers.values()) {
      if (o.status === 'Running') names.push(o.name);
      await o.stop().catch((e) => toGaterError(e));
    }
    this.observers.clear();
    return names;
  }
}
