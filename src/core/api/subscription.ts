import type { GaterError } from '../errors.js';
import type { EventRecord, NackAction, Selector, SubscriptionOptions } from '../types.js';

/** What `GaterApi.subscribe` takes besides the store, type and selector. */
export interface SubscribeOptions {
  /** `transient` (default): a live view; any other name: a persistent subscription with acks and a checkpoint. */
  name?: string;
  /** First position to deliver (stream version for `$<stream>`, global position otherwise; default 0). */
  startFrom?: number;
  /** Persistent subscriptions: ack timeout and retries before parking. */
  options?: SubscriptionOptions;
}

/**
 * One running subscription, the same for the console, scripted commands and scenarios: events come out of the
 * async iterator in delivery order, one at a time, so a consumer shows an event and then acks it — "ack only what
 * was shown" holds by construction. The iterator ends when the subscription does; `closed()` says why.
 */
export interface Subscription extends AsyncIterable<EventRecord> {
  readonly store: string;
  readonly name: string;
  readonly selector: Selector;
  /** The pubsub topic of this subscription, `"<store>:<sub_topic>"`. */
  readonly topic: string;
  /** Acknowledges a delivered event of a persistent subscription (moves its checkpoint). */
  ack(event: EventRecord): Promise<void>;
  /** retry: redeliver now; park: set aside (counted in `parked`); skip: treat as handled. */
  nack(event: EventRecord, action?: NackAction): Promise<void>;
  /** Stops delivery (the stored record of a persistent one stays); events queued and not yet taken are dropped. */
  close(): Promise<void>;
  /** Resolves once the subscription has ended: undefined after `close()`, the error that ended it otherwise. */
  closed(): Promise<void | GaterError>;
  /**
   * The same events a batch at a time (everything queued, in order), for views that only look (observers, monitors):
   * one wake-up per delivery instead of one per event. Read either this or the per-event iterator, not both.
   */
  batches(): AsyncIterable<EventRecord[]>;
}

/**
 * Events pushed by the gateway, waiting to be taken by the iterator. Unbounded by itself: a persistent
 * subscription is bounded by the node's in-flight limit, a live view by the consumer keeping up.
 */
export class DeliveryQueue {
  private readonly items: EventRecord[] = [];
  private head = 0;
  private waiter: ((r: IteratorResult<EventRecord>) => void) | undefined;
  private batchWaiter: ((r: IteratorResult<EventRecord[]>) => void) | undefined;
  private ended = false;
  private readonly endPromise: Promise<void | GaterError>;
  private resolveEnd!: (reason: void | GaterError) => void;

  constructor() {
    this.endPromise = new Promise((r) => (this.resolveEnd = r));
  }

  get done(): boolean {
    return this.ended;
  }

  push(events: EventRecord[]): void {
    if (this.ended || events.length === 0) return;
    const b = this.batchWaiter;
    if (b) {
      // nothing is queued while a batch reader waits: the delivery is the batch
      this.batchWaiter = undefined;
      b({ value: events, done: false });
      return;
    }
    for (const e of events) {
      const w = this.waiter;
      if (w) {
        this.waiter = undefined;
        w({ value: e, done: false });
      } else this.items.push(e);
    }
  }

  /** Ends delivery (idempotent: the first reason wins); a waiting `next()` resolves as done. */
  end(reason?: GaterError): void {
    if (this.ended) return;
    this.ended = true;
    this.items.length = 0;
    this.head = 0;
    this.resolveEnd(reason);
    const w = this.waiter;
    this.waiter = undefined;
    w?.({ value: undefined, done: true });
    const b = this.batchWaiter;
    this.batchWaiter = undefined;
    b?.({ value: undefined, done: true });
  }

  closed(): Promise<void | GaterError> {
    return this.endPromise;
  }

  next(): Promise<IteratorResult<EventRecord>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter || this.batchWaiter) return Promise.reject(new Error(ONE_CONSUMER));
    return new Promise((r) => (this.waiter = r));
  }

  /** Everything queued, in order, as one batch; waits for the next delivery when nothing is. */
  nextBatch(): Promise<IteratorResult<EventRecord[]>> {
    if (this.head < this.items.length) {
      const value = this.items.slice(this.head);
      this.items.length = 0;
      this.head = 0;
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter || this.batchWaiter) return Promise.reject(new Error(ONE_CONSUMER));
    return new Promise((r) => (this.batchWaiter = r));
  }
}

const ONE_CONSUMER = 'a subscription is read by one consumer at a time';
