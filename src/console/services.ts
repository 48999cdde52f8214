import {
  GaterError,
  normaliseStreamSelector,
  ObserverRegistry,
  ProducerManager,
  toGaterError,
  validateName,
  type EventRecord,
  type NackAction,
  type Observer,
  type ProducerOptions,
  type SubscriptionType,
  type Gater,
} from '../core/index.js';
import { generateGreenhouseEvents } from '../domain/greenhouse/index.js';
import { ConsoleVitals, isReplayed } from './consoleVitals.js';
import { LineFeed, LogStore } from './feed.js';
import { appendedLine, receivedLine, seenLine } from './format.js';

/** A persistent subscription the console started (option 10). */
export interface ConsoleSubscription {
  name: string;
  selector: string;
  startFrom: number;
  feed: LineFeed;
  received: number;
  acked: number;
  status: 'Running' | 'Stopped';
  /**
   * Hold mode: events are shown but not acknowledged until the user decides on each (ack, retry, park, skip);
   * turning it off acknowledges every held one in position order. Off by default (each event acked as shown).
   */
  holding: boolean;
  /** Events shown and not yet decided on, by global position. */
  readonly held: ReadonlyMap<number, EventRecord>;
  setHolding(on: boolean): Promise<void>;
  /** Acks (`ack`) or nacks (`retry`, `park`, `skip`) a held event. */
  decide(event: EventRecord, action: 'ack' | NackAction): Promise<void>;
  close(): Promise<void>;
}

export interface ConsoleServicesOptions {
  /** Lines kept per live view (default 500). */
  feedCapacity?: number;
  /** Where `e` writes exports (default: the current directory when the console started). */
  exportDir?: string;
}

/**
 * Everything the console starts, in one place, so that exit (option 15, `q`, Ctrl+C, a signal) can stop all of
 * it: observers, producers and subscriptions. Plain TypeScript with no React, so it is tested on its own and
 * the screens stay thin.
 */
export class ConsoleServices {
  readonly observers: ObserverRegistry;
  readonly producers: ProducerManager;
  /** Console-wide output (SEEN, RECEIVED, APPENDED, UP lines), as the reference prints everything to one terminal. */
  readonly activity: LineFeed;
  /** Header figures (memory, rates, nodes) on one clock for every view. */
  readonly vitals: ConsoleVitals;
  private readonly observerFeeds = new Map<string, LineFeed>();
  private readonly subs = new Map<string, ConsoleSubscription>();
  private readonly feedCapacity: number;
  /** Where `e` in a live view or the stream browser writes its NDJSON file. */
  readonly exportDir: string;
  private shutdownLines: Promise<string[]> | undefined;

  constructor(
    readonly gater: Gater,
    readonly logs: LogStore = new LogStore(),
    options: ConsoleServicesOptions = {},
  ) {
    this.feedCapacity = options.feedCapacity ?? 500;
    this.exportDir = options.exportDir ?? process.cwd();
    this.activity = new LineFeed(this.feedCapacity);
    this.vitals = new ConsoleVitals(gater, () => this.eventsInProcess);
    this.observers = new ObserverRegistry(gater.api, gater.store);
    this.producers = new ProducerManager(gater.api, gater.store, (v, n) => generateGreenhouseEvents(v, n));
    this.producers.onAppended((n) =>
      this.activity.push('appended', appendedLine(gater.store, n.stream, n.count, n.version)),
    );
  }

  get store(): string {
    return this.gater.store;
  }

  /** True when the store's events live in this process's heap (embedded node on memory storage). */
  get eventsInProcess(): boolean {
    return this.gater.storageKind === 'memory';
  }

  /** Starts a named live observer; its SEEN lines go to its own feed and to the activity feed. */
  async createObserver(name: string, type: SubscriptionType, selector: unknown): Promise<Observer> {
    const feed = new LineFeed(this.feedCapacity);
    // Attached before the subscription starts: a node may deliver before it has answered the subscribe call.
    const since = Date.now();
    const listener = (events: EventRecord[]) => {
      // The oldest live event of the batch (replayed ones come first and are not deliveries).
      const live = events.find((e) => !isReplayed(e.createdEpoch, since));
      if (live) this.vitals.recordDelivery(live.createdEpoch, since);
      const lines = events.map(seenLine);
      feed.pushMany('seen', lines, events); // the monitor's lines keep their events (details, follow, export)
      this.activity.pushMany('seen', lines);
    };
    const observer = await this.observers.create(name, type, selector, { listener });
    this.observerFeeds.set(observer.name, feed);
    this.activity.push('lifecycle', `OBSERVER [${observer.name}] for ["${observer.topic}"] is UP!`);
    return observer;
  }

  /**
   * Event types seen in the store: the newest `perStream` events of up to `maxStreams` streams (a bounded look,
   * enough to tell a typo from a type in use).
   */
  async eventTypesInStore(maxStreams = 200, perStream = 100): Promise<Set<string>> {
    const { api } = this.gater;
    const streams = (await api.getStreams(this.store)).slice(0, maxStreams);
    const types = new Set<string>();
    for (let i = 0; i < streams.length; i += 20) {
      await Promise.all(
        streams.slice(i, i + 20).map(async (s) => {
          const version = await api.getVersion(this.store, s);
          if (version < 0) return;
          const from = Math.max(0, version - perStream + 1);
          for (const e of await api.getEvents(this.store, s, from, version - from + 1, 'forward'))
            types.add(e.eventType);
        }),
      );
    }
    return types;
  }

  observerFeed(name: string): LineFeed | undefined {
    return this.observerFeeds.get(name.trim());
  }

  async stopObserver(name: string): Promise<'stopped' | 'already_stopped'> {
    const result = await this.observers.stop(name);
    this.observerFeeds.delete(name.trim());
    return result;
  }

  /** Starts producers on greenhouse1..N; returns the streams started (running ones are left as they are). */
  startProducers(count: number, options: ProducerOptions): string[] {
    const started = this.producers.startMany(count, options);
    for (const s of started) this.activity.push('lifecycle', `PRODUCER [${s}] for [:${this.store}:${s}] is UP!`);
    return started;
  }

  /**
   * Creates a named persistent subscription on `$all` or a stream, from `startFrom`. Every delivered event is
   * shown as a RECEIVED line and then acknowledged, which moves the subscription's checkpoint.
   */
  async createSubscription(name: string, stream: string, startFrom: number): Promise<ConsoleSubscription> {
    const n = validateName('subscription', name);
    if (n === 'transient')
      throw new GaterError(
        'invalid_argument',
        '"transient" is reserved for live views; pick another subscription name',
      );
    if (this.subs.get(n)?.status === 'Running')
      throw new GaterError('invalid_argument', `a subscription named "${n}" is already running in this console`);
    const selector = normaliseStreamSelector(stream.trim());
    const feed = new LineFeed(this.feedCapacity);
    const api = this.gater.api;
    const store = this.store;
    const held = new Map<number, EventRecord>();
    const since = Date.now();
    const handle = await api.subscribe(store, 'by_stream', selector, { name: n, startFrom });
    const ack = async (e: EventRecord) => {
      try {
        await handle.ack(e);
        sub.acked++;
      } catch (err) {
        this.logs.log(
          'warn',
          `[Subscriptions] ack of ${e.eventStreamId}:v${e.eventNumber} for "${n}" failed: ${toGaterError(err).message}`,
        );
      }
    };
    const sub: ConsoleSubscription = {
      name: n,
      selector,
      startFrom,
      feed,
      received: 0,
      acked: 0,
      status: 'Running',
      holding: false,
      held,
      setHolding: async (on) => {
        sub.holding = on;
        if (on) return;
        const release = [...held.values()].sort((a, b) => a.position - b.position);
        held.clear();
        for (const e of release) await ack(e);
      },
      decide: async (e, action) => {
        if (!held.delete(e.position))
          throw new GaterError(
            'invalid_argument',
            `${e.eventStreamId}:v${e.eventNumber} is not held (already acknowledged)`,
          );
        if (action === 'ack') return ack(e);
        await handle.nack(e, action);
      },
      close: async () => {},
    };
    sub.close = async () => {
      if (sub.status === 'Stopped') return;
      sub.status = 'Stopped';
      await handle.close();
    };
    // Shown, then acknowledged, one event at a time: an event is acked only once its line is in the feed
    // (or, in hold mode, once the user acks it).
    const pump = async () => {
      for await (const e of handle) {
        this.vitals.recordDelivery(e.createdEpoch, since);
        const line = receivedLine(n, e);
        sub.received++;
        feed.push('received', line, e);
        this.activity.push('received', line);
        // Held: shown, not acknowledged, until the user decides (the node keeps it in flight meanwhile).
        if (sub.holding) held.set(e.position, e);
        else await ack(e);
      }
      const ended = await handle.closed();
      if (ended) {
        sub.status = 'Stopped';
        this.logs.log('error', `[Subscriptions] subscription "${n}" ended: ${ended.message}`);
      }
    };
    void pump();
    this.subs.set(n, sub);
    this.activity.push('lifecycle', `SUBSCRIBER [${n}] for ["${n}"] is UP!`);
    return sub;
  }

  subscription(name: string): ConsoleSubscription | undefined {
    return this.subs.get(name.trim());
  }

  subscriptions(): ConsoleSubscription[] {
    return [...this.subs.values()];
  }

  /**
   * Stops everything this console started and returns the lines to print after the frame is gone.
   * Idempotent: option 15, `q`, Ctrl+C and a signal may all ask.
   */
  shutdown(): Promise<string[]> {
    this.shutdownLines ??= this.doShutdown();
    return this.shutdownLines;
  }

  private async doShutdown(): Promise<string[]> {
    const lines = ['👋 Shutting down ExESDB Interactive Console...'];
    const guard = async <T>(what: string, p: Promise<T>, fallback: T): Promise<T> => {
      try {
        return await p;
      } catch (e) {
        lines.push(`⚠️  Could not stop ${what}: ${toGaterError(e).message}`);
        return fallback;
      }
    };
    for (const name of await guard('observers', this.observers.stopAll(), [] as string[]))
      lines.push(`🛑 Stopped observer: ${name}`);
    this.observerFeeds.clear();
    for (const stream of await guard('producers', this.producers.stopAll(), [] as string[]))
      lines.push(`🛑 Stopped producer: ${stream}`);
    for (const sub of this.subs.values()) {
      if (sub.status !== 'Running') continue;
      await guard(`subscription ${sub.name}`, sub.close(), undefined);
      lines.push(`🛑 Stopped subscription: ${sub.name}`);
    }
    lines.push('✅ Console shut down successfully!');
    return lines;
  }
}
