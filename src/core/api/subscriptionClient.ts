import { GaterError, isGaterError, toGaterError } from '../errors.js';
import type { NodeLink } from '../link.js';
import { normaliseSelector, subscriptionKey } from '../matching.js';
import type { EventRef, OpArgs } from '../wire/ops.js';
import type {
  EventRecord,
  NackAction,
  Selector,
  Subscriber,
  SubscriptionInfo,
  SubscriptionOptions,
  SubscriptionType,
} from '../types.js';
import {
  validateNackAction,
  validateNonNegativeInt,
  validateStore,
  validateSubscriptionName,
  validateSubscriptionType,
} from '../validation.js';
import { GatewaySubscriptions, type GatewaySub } from './gatewaySubscriptions.js';
import { DeliveryQueue, type SubscribeOptions, type Subscription } from './subscription.js';
import type { PubSub } from './pubsub.js';
import { FAILOVER_CODES, sleep, type Router } from './router.js';

/** Errors after which re-establishing a subscription is worth another try. */
const RETRY_SUBSCRIBE_CODES = new Set(['no_workers', 'timeout', 'connection_closed']);

/**
 * The subscription half of the gateway API: asks a node for each subscription, routes its pushes to the
 * subscriber or the pubsub topic, sends acks to the node serving it, and moves it to another node (resuming
 * where delivery stopped) when that node goes away.
 */
export class SubscriptionClient {
  private readonly subs: GatewaySubscriptions;
  private readonly wiredLinks = new WeakSet<NodeLink>();
  private readonly timeoutMs: number;

  constructor(
    private readonly router: Router,
    pubsub: PubSub,
    private readonly onError: (e: unknown) => void,
  ) {
    this.timeoutMs = router.timeoutMs;
    this.subs = new GatewaySubscriptions(pubsub, onError);
    const registry = router.registry;
    for (const l of registry.links()) this.wire(l);
    registry.onChange(() => {
      for (const l of registry.links()) this.wire(l);
    });
  }

  /** Routes pushes of a link to the subscription table and moves its subscriptions when it closes. */
  private wire(link: NodeLink): void {
    if (this.wiredLinks.has(link)) return;
    this.wiredLinks.add(link);
    link.onPush((subId, events) => this.subs.deliver(link, subId, events));
    link.onClose(() => {
      for (const s of this.subs.all()) {
        if (s.link === link) void this.reestablish(s, new Set([link]));
      }
    });
  }

  /** See GaterApi.saveSubscription (the public entry, documented there). */
  async saveSubscription(
    store: string,
    type: SubscriptionType,
    selector: Selector,
    name = 'transient',
    startFrom = 0,
    subscriber?: Subscriber,
    options?: SubscriptionOptions,
    onEnd?: (reason: GaterError) => void,
  ): Promise<{ topic: string; close(): Promise<void> }> {
    validateStore(store);
    const t = validateSubscriptionType(type);
    const sel = normaliseSelector(t, selector);
    const n = validateSubscriptionName(name);
    const from = validateNonNegativeInt(startFrom, 'startFrom');
    if (subscriber !== undefined && typeof subscriber !== 'function') {
      throw new GaterError('invalid_argument', 'subscriber must be a function receiving event batches');
    }
    const sub = this.subs.create({
      store,
      type: t,
      selector: sel,
      name: n,
      startFrom: from,
      options,
      subscriber,
      onEnd,
    });
    try {
      await this.attach(sub, from, new Set());
    } catch (e) {
      this.subs.delete(sub.subId);
      throw e;
    }
    // Replacing happened once, here; a re-attach after a failover only resumes.
    if (sub.options?.replace) sub.options = { ...sub.options, replace: false };
    return { topic: sub.topic, close: () => this.closeSub(sub) };
  }

  private async attach(sub: GatewaySub, startFrom: number, exclude: Set<NodeLink>): Promise<void> {
    const deadline = Date.now() + this.router.noWorkersWaitMs;
    for (;;) {
      const { worker, link } = await this.router.waitForWorker(sub.store, exclude, deadline);
      sub.link = link; // set before the request: the node may push before it answers
      sub.attached = false;
      try {
        await link.request(
          'subscribe',
          {
            store: sub.store,
            worker: worker.id,
            subId: sub.subId,
            type: sub.type,
            selector: sub.selector,
            name: sub.name,
            startFrom,
            options: sub.options,
          },
          this.timeoutMs,
        );
        sub.attached = true;
        if (sub.closed)
          void link
            .request('unsubscribe', { store: sub.store, worker: worker.id, subId: sub.subId }, this.timeoutMs)
            .catch(() => {});
        return;
      } catch (e) {
        sub.link = undefined;
        sub.attached = false;
        const err = toGaterError(e);
        if (!FAILOVER_CODES.has(err.code)) throw err;
        exclude.add(link);
      }
    }
  }

  /** After the serving node died: the same subscription on another node, from where delivery stopped. */
  private async reestablish(sub: GatewaySub, exclude: Set<NodeLink>): Promise<void> {
    sub.link = undefined;
    sub.attached = false;
    if (sub.closed) return;
    const from = this.subs.resumeFrom(sub);
    sub.unacked.clear();
    for (;;) {
      if (sub.closed) return;
      try {
        await this.attach(sub, from, exclude);
        return;
      } catch (e) {
        // Keep trying while the subscription is open: nodes (or a restarted one, on a new link) may come back.
        // Only a refusal of the subscription itself (bad input, unknown store) ends it.
        if (!isGaterError(e) || !RETRY_SUBSCRIBE_CODES.has(e.code)) {
          this.onError(e);
          this.subs.delete(sub.subId);
          sub.onEnd?.(toGaterError(e));
          return;
        }
        if (!isGaterError(e, 'no_workers')) await sleep(500);
      }
    }
  }

  private async closeSub(sub: GatewaySub): Promise<void> {
    const link = sub.link;
    this.subs.delete(sub.subId);
    if (link && !link.closed) {
      await link
        .request('unsubscribe', { store: sub.store, worker: '', subId: sub.subId }, this.timeoutMs)
        .catch(() => {});
    }
  }

  /** See GaterApi.subscribe (the public entry, documented there). */
  async subscribe(
    store: string,
    type: SubscriptionType,
    selector: Selector,
    opts: SubscribeOptions = {},
  ): Promise<Subscription> {
    const queue = new DeliveryQueue();
    const subscriber: Subscriber = (events) => queue.push(events);
    const name = opts.name ?? 'transient';
    const handle = await this.saveSubscription(
      store,
      type,
      selector,
      name,
      opts.startFrom ?? 0,
      subscriber,
      opts.options,
      (reason) => queue.end(reason),
    );
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        queue.end();
        await handle.close();
      })());
    // A consumer leaving its loop (break, throw) ends the subscription: nothing would take its events.
    const leave = async (): Promise<IteratorReturnResult<undefined>> => {
      await close();
      return { value: undefined, done: true };
    };
    return {
      store,
      name,
      selector,
      topic: handle.topic,
      ack: (event) => this.ackEvent(store, name, subscriber, event),
      nack: (event, action) => this.nackEvent(store, name, subscriber, event, action),
      close,
      closed: () => queue.closed(),
      batches: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => queue.nextBatch(), return: leave }),
      }),
      [Symbol.asyncIterator]: () => ({ next: () => queue.next(), return: leave }),
    };
  }

  /** Stops matching subscriptions started here and deletes the stored record of a named one. */
  async removeSubscription(
    store: string,
    type: SubscriptionType,
    selector: Selector,
    name = 'transient',
  ): Promise<void> {
    validateStore(store);
    const t = validateSubscriptionType(type);
    const sel = normaliseSelector(t, selector);
    const n = validateSubscriptionName(name);
    const key = subscriptionKey(t, sel, n);
    for (const s of this.subs.all()) {
      if (s.store === store && subscriptionKey(s.type, s.selector, s.name) === key) await this.closeSub(s);
    }
    await this.router.call(store, 'removeSubscription', { type: t, selector: sel, name: n });
  }

  /** Subscriptions of the store on every node hosting it, merged (a running instance wins over a stored record). */
  async getSubscriptions(store: string): Promise<SubscriptionInfo[]> {
    validateStore(store);
    // Only the store's active storage group: another group's subscriptions are another copy of the store.
    const links = this.router.registry.activeLinks(store);
    if (links.length === 0) return this.router.call(store, 'getSubscriptions', {});
    const lists = await Promise.all(
      links.map((l) =>
        l.request('getSubscriptions', { store, worker: '' }, this.timeoutMs).catch((): SubscriptionInfo[] => []),
      ),
    );
    const merged = new Map<string, SubscriptionInfo>();
    for (const info of lists.flat()) {
      const key = subscriptionKey(info.type, info.selector, info.name);
      const prev = merged.get(key);
      if (!info.persistent) merged.set(`${key}|${merged.size}`, info);
      else if (!prev || (!prev.active && info.active)) merged.set(key, info);
    }
    return [...merged.values()];
  }

  /** Acknowledges a delivered event of a named subscription (moves its checkpoint). */
  async ackEvent(store: string, subscriptionName: string, subscriber: unknown, event: EventRecord): Promise<void> {
    const sub = this.namedSub(store, subscriptionName, subscriber);
    if (!event || typeof event !== 'object')
      throw new GaterError('invalid_argument', 'ackEvent needs the delivered event record');
    this.subs.acked(sub, event);
    await this.toServingNode(sub, 'ack', { name: sub.name, subId: sub.subId, event: eventRef(event) });
  }

  /** retry: redeliver now; park: set aside (counted in `parked`); skip: treat as handled. */
  async nackEvent(
    store: string,
    subscriptionName: string,
    subscriber: unknown,
    event: EventRecord,
    action: NackAction = 'retry',
  ): Promise<void> {
    const a = validateNackAction(action);
    const sub = this.namedSub(store, subscriptionName, subscriber);
    if (!event || typeof event !== 'object')
      throw new GaterError('invalid_argument', 'nackEvent needs the delivered event record');
    if (a !== 'retry') this.subs.acked(sub, event);
    await this.toServingNode(sub, 'nack', { name: sub.name, subId: sub.subId, action: a, event: eventRef(event) });
  }

  private namedSub(store: string, name: string, subscriber: unknown): GatewaySub {
    validateStore(store);
    const sub = this.subs.findNamed(store, validateSubscriptionName(name), subscriber ?? undefined);
    if (!sub || sub.name === 'transient') {
      throw new GaterError(
        'not_found',
        `no persistent subscription "${String(name)}" was started from this gateway; create it with saveSubscription(store, type, selector, "${String(name)}", ...)`,
      );
    }
    return sub;
  }

  /**
   * Sends an ack/nack to the node serving the subscription. During a failover it follows the subscription: it
   * waits until the subscription is attached on its new node and goes there (the new node may already have
   * redelivered the event, or take the ack as done); a link that dies under the request is waited out the same
   * way. Gives up (quietly: the event is simply delivered again) only if the subscription is closed, and with
   * `no_workers` if it finds no new node within the failover wait.
   */
  private async toServingNode<K extends 'ack' | 'nack'>(sub: GatewaySub, op: K, args: OpArgs<K>): Promise<void> {
    const deadline = Date.now() + this.router.noWorkersWaitMs + this.timeoutMs;
    for (;;) {
      if (sub.closed) return;
      const link = sub.link;
      if (link && sub.attached && !link.closed) {
        try {
          await link.request(op, { store: sub.store, worker: '', ...args }, this.timeoutMs);
          return;
        } catch (e) {
          // the serving node went away under the request: the subscription moves, so does the ack
          if (!isGaterError(e, 'connection_closed')) throw e;
        }
      }
      if (Date.now() > deadline)
        throw new GaterError(
          'no_workers',
          `${op} for subscription "${sub.name}": it found no node to move to within ${this.router.noWorkersWaitMs} ms; the event will be delivered again`,
          { name: sub.name },
        );
      await sleep(20);
    }
  }

  /** Stops every subscription started through this client. */
  async close(): Promise<void> {
    await Promise.all(this.subs.all().map((s) => this.closeSub(s)));
  }
}

function eventRef(event: EventRecord): EventRef {
  return { position: event.position, eventNumber: event.eventNumber };
}
