import { newId } from '../ids.js';
import { GaterError, isGaterError, toGaterError } from '../errors.js';
import type { NodeLink } from '../link.js';
import type { LogFn } from '../log.js';
import { normaliseSelector } from '../matching.js';
import type { Op } from '../protocol.js';
import type { WorkerRegistry } from '../registry/workerRegistry.js';
import type {
  Direction,
  EventRecord,
  ExpectedVersion,
  NackAction,
  NewEvent,
  Selector,
  SnapshotRecord,
  StoreLocation,
  Subscriber,
  SubscriptionInfo,
  SubscriptionOptions,
  SubscriptionType,
  WorkerDescriptor,
} from '../types.js';
import {
  validateExpectedVersion,
  validateNackAction,
  validateNonNegativeInt,
  validateRead,
  validateStore,
  validateStreamId,
  validateSubscriptionName,
  validateSubscriptionType,
  validateUuidArg,
  describe,
} from '../validation.js';
import { GatewaySubscriptions, type GatewaySub } from './gatewaySubscriptions.js';
import type { PubSub } from './pubsub.js';

export interface GaterApiOptions {
  /** Per-call timeout (default 5000 ms). */
  timeoutMs?: number;
  /** How long to wait for a worker of the store before `no_workers` (default 5000 ms; backoff from 100 ms). */
  noWorkersWaitMs?: number;
  /** Reports subscriber callback errors and failover trouble (never thrown at the caller). */
  onError?: (e: unknown) => void;
  /** Worker waits and failovers, as the reference's `🚪 [GaterAPI]` lines. */
  log?: LogFn;
}

const STREAM_PAGE = 500;

/** Errors after which the same request may safely go to another node. */
const FAILOVER_CODES = new Set(['connection_closed', 'store_not_found']);

/** Errors after which re-establishing a subscription is worth another try. */
const RETRY_SUBSCRIBE_CODES = new Set(['no_workers', 'timeout', 'connection_closed']);

/**
 * The public event-store API (DESIGN §3): per-store random routing over the WorkerRegistry, waiting for
 * workers, failover of safe requests, typed errors. Every append carries event ids assigned here, so a retry
 * after a lost connection is idempotent on the node.
 */
export class GaterApi {
  private readonly timeoutMs: number;
  private readonly noWorkersWaitMs: number;
  private readonly subs: GatewaySubscriptions;
  private readonly wiredLinks = new WeakSet<NodeLink>();
  private readonly onError: (e: unknown) => void;
  private readonly log: LogFn;

  constructor(
    readonly registry: WorkerRegistry,
    readonly pubsub: PubSub,
    options: GaterApiOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.noWorkersWaitMs = options.noWorkersWaitMs ?? 5000;
    this.onError = options.onError ?? (() => {});
    this.log = options.log ?? (() => {});
    this.subs = new GatewaySubscriptions(pubsub, this.onError);
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

  /** Waits (backoff 100, 200, 400... ms) for a worker of `store` on a node not in `exclude`. */
  private async waitForWorker(store: string, exclude: ReadonlySet<NodeLink>, deadline: number) {
    let delay = 100;
    for (let attempt = 0; ; attempt++) {
      const p = this.registry.pick(store, exclude);
      if (p) {
        if (attempt > 0) this.log('info', `🚪 [GaterAPI] Found ${this.registry.workersForStore(store).length} available workers for ${store} after ${attempt} retries`);
        return p;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.log('error', `🚪 [GaterAPI] No workers available for ${store} after ${this.noWorkersWaitMs} ms`);
        throw new GaterError(
          'no_workers',
          `no gateway worker for store "${store}" after ${this.noWorkersWaitMs} ms; start a node that hosts it (ex-esdb-console node --store ${store}) or check --connect / gossip settings`,
          { store },
        );
      }
      const wait = Math.min(delay, left);
      this.log('debug', `🚪 [GaterAPI] No workers available for ${store}, retrying in ${wait}ms (attempt ${attempt + 1})`);
      await sleep(wait);
      delay = Math.min(delay * 2, 5000);
    }
  }

  /** One routed call; safe requests fail over to another node when theirs goes away. */
  private async call(store: string, op: Op, args: Record<string, unknown>): Promise<unknown> {
    const exclude = new Set<NodeLink>();
    const deadline = Date.now() + this.noWorkersWaitMs;
    for (;;) {
      const { worker, link } = await this.waitForWorker(store, exclude, deadline);
      try {
        return await link.request(op, { ...args, store, worker: worker.id }, this.timeoutMs);
      } catch (e) {
        const err = toGaterError(e);
        if (!FAILOVER_CODES.has(err.code)) throw err;
        // past the deadline waitForWorker still returns a live alternative at once, else it says no_workers
        this.log('warn', `🚪 [GaterAPI] ${op} on ${link.node} failed (${err.code}); retrying on another node`);
        exclude.add(link);
      }
    }
  }

  /** Appends events; returns the new stream version (number of the last event). */
  async appendEvents(store: string, streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion = 'any'): Promise<number> {
    validateStore(store);
    validateStreamId(streamId);
    const expected = validateExpectedVersion(expectedVersion);
    if (!Array.isArray(events)) throw new GaterError('invalid_argument', `events must be an array, got ${describe(events)}`);
    // Ids are fixed here, once, so a failover retry of this batch is recognised as a duplicate by the node.
    const withIds = events.map((e) => (e && typeof e === 'object' && e.eventId === undefined ? { ...e, eventId: newId() } : e));
    return (await this.call(store, 'append', { streamId, events: withIds, expectedVersion: expected })) as number;
  }

  async getEvents(store: string, streamId: string, startVersion: number, count: number, direction: Direction = 'forward'): Promise<EventRecord[]> {
    validateStore(store);
    validateStreamId(streamId);
    validateRead(startVersion, count, direction);
    return (await this.call(store, 'read', { streamId, startVersion, count, direction })) as EventRecord[];
  }

  /** Forward from startVersion, `count` versions at most, fetched page by page. */
  streamForward(store: string, streamId: string, startVersion: number, count: number): AsyncIterable<EventRecord> {
    return this.pages(store, streamId, startVersion, count, 'forward');
  }

  /** Backward from startVersion (inclusive), `count` versions at most, fetched page by page. */
  streamBackward(store: string, streamId: string, startVersion: number, count: number): AsyncIterable<EventRecord> {
    return this.pages(store, streamId, startVersion, count, 'backward');
  }

  private async *pages(store: string, streamId: string, start: number, count: number, direction: Direction): AsyncGenerator<EventRecord> {
    validateRead(start, count, direction);
    let pos = start;
    let left = count;
    while (left > 0 && pos >= 0) {
      const n = Math.min(STREAM_PAGE, left);
      const page = await this.getEvents(store, streamId, pos, n, direction);
      yield* page;
      left -= n;
      pos = direction === 'forward' ? pos + n : pos - n;
      if (page.length === 0 && direction === 'forward') break;
    }
  }

  async getVersion(store: string, streamId: string): Promise<number> {
    validateStore(store);
    validateStreamId(streamId);
    return (await this.call(store, 'getVersion', { streamId })) as number;
  }

  /** Global position of the store's last event (-1 when empty): where a live-only `$all` view starts. */
  async getHeadPosition(store: string): Promise<number> {
    validateStore(store);
    return (await this.call(store, 'headPosition', {})) as number;
  }

  async getStreams(store: string): Promise<string[]> {
    validateStore(store);
    return (await this.call(store, 'getStreams', {})) as string[];
  }

  /**
   * Registers a subscription; resolves once the node has it. Deliveries go to `subscriber`, or to pubsub topic
   * `"<store>:<sub_topic>"` as `{ events }`. A named subscription is persistent (acks, redelivery, parking).
   * Returns a handle whose `close()` stops this subscription (the stored record of a named one stays).
   */
  async saveSubscription(
    store: string,
    type: SubscriptionType,
    selector: Selector,
    name = 'transient',
    startFrom = 0,
    subscriber?: Subscriber,
    options?: SubscriptionOptions,
  ): Promise<{ topic: string; close(): Promise<void> }> {
    validateStore(store);
    const t = validateSubscriptionType(type);
    const sel = normaliseSelector(t, selector);
    const n = validateSubscriptionName(name);
    const from = validateNonNegativeInt(startFrom, 'startFrom');
    if (subscriber !== undefined && typeof subscriber !== 'function') {
      throw new GaterError('invalid_argument', 'subscriber must be a function receiving event batches');
    }
    const sub = this.subs.create({ store, type: t, selector: sel, name: n, startFrom: from, options, subscriber });
    try {
      await this.attach(sub, from, new Set());
    } catch (e) {
      this.subs.delete(sub.subId);
      throw e;
    }
    return { topic: sub.topic, close: () => this.closeSub(sub) };
  }

  private async attach(sub: GatewaySub, startFrom: number, exclude: Set<NodeLink>): Promise<void> {
    const deadline = Date.now() + this.noWorkersWaitMs;
    for (;;) {
      const { worker, link } = await this.waitForWorker(sub.store, exclude, deadline);
      sub.link = link; // set before the request: the node may push before it answers
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
        if (sub.closed) void link.request('unsubscribe', { store: sub.store, worker: worker.id, subId: sub.subId }, this.timeoutMs).catch(() => {});
        return;
      } catch (e) {
        sub.link = undefined;
        const err = toGaterError(e);
        if (!FAILOVER_CODES.has(err.code)) throw err;
        exclude.add(link);
      }
    }
  }

  /** After the serving node died: the same subscription on another node, from where delivery stopped. */
  private async reestablish(sub: GatewaySub, exclude: Set<NodeLink>): Promise<void> {
    sub.link = undefined;
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
      await link.request('unsubscribe', { store: sub.store, worker: '', subId: sub.subId }, this.timeoutMs).catch(() => {});
    }
  }

  /** Stops matching subscriptions started here and deletes the stored record of a named one. */
  async removeSubscription(store: string, type: SubscriptionType, selector: Selector, name = 'transient'): Promise<void> {
    validateStore(store);
    const t = validateSubscriptionType(type);
    const sel = normaliseSelector(t, selector);
    const n = validateSubscriptionName(name);
    for (const s of this.subs.all()) {
      if (s.store === store && s.type === t && s.name === n && JSON.stringify(s.selector) === JSON.stringify(sel)) await this.closeSub(s);
    }
    await this.call(store, 'removeSubscription', { type: t, selector: sel, name: n });
  }

  /** Subscriptions of the store on every node hosting it, merged (a running instance wins over a stored record). */
  async getSubscriptions(store: string): Promise<SubscriptionInfo[]> {
    validateStore(store);
    const links = this.registry.links().filter((l) => l.announcement().stores.includes(store));
    if (links.length === 0) return (await this.call(store, 'getSubscriptions', {})) as SubscriptionInfo[];
    const lists = await Promise.all(
      links.map((l) =>
        l.request('getSubscriptions', { store, worker: '' }, this.timeoutMs).then(
          (v) => v as SubscriptionInfo[],
          () => [] as SubscriptionInfo[],
        ),
      ),
    );
    const merged = new Map<string, SubscriptionInfo>();
    for (const info of lists.flat()) {
      const key = `${info.type}|${info.name}|${JSON.stringify(info.selector)}`;
      const prev = merged.get(key);
      if (!info.persistent) merged.set(`${key}|${merged.size}`, info);
      else if (!prev || (!prev.active && info.active)) merged.set(key, info);
    }
    return [...merged.values()];
  }

  /** Acknowledges a delivered event of a named subscription (moves its checkpoint). */
  async ackEvent(store: string, subscriptionName: string, subscriber: unknown, event: EventRecord): Promise<void> {
    const sub = this.namedSub(store, subscriptionName, subscriber);
    if (!event || typeof event !== 'object') throw new GaterError('invalid_argument', 'ackEvent needs the delivered event record');
    this.subs.acked(sub, event);
    await this.toServingNode(sub, 'ack', { name: sub.name, subId: sub.subId, event: { position: event.position, eventNumber: event.eventNumber } });
  }

  /** retry: redeliver now; park: set aside (counted in `parked`); skip: treat as handled. */
  async nackEvent(store: string, subscriptionName: string, subscriber: unknown, event: EventRecord, action: NackAction = 'retry'): Promise<void> {
    const a = validateNackAction(action);
    const sub = this.namedSub(store, subscriptionName, subscriber);
    if (!event || typeof event !== 'object') throw new GaterError('invalid_argument', 'nackEvent needs the delivered event record');
    if (a !== 'retry') this.subs.acked(sub, event);
    await this.toServingNode(sub, 'nack', {
      name: sub.name,
      subId: sub.subId,
      action: a,
      event: { position: event.position, eventNumber: event.eventNumber },
    });
  }

  private namedSub(store: string, name: string, subscriber: unknown): GatewaySub {
    validateStore(store);
    const sub = this.subs.findNamed(store, validateSubscriptionName(name), subscriber ?? undefined);
    if (!sub || sub.name === 'transient') {
      throw new GaterError('not_found', `no persistent subscription "${String(name)}" was started from this gateway; create it with saveSubscription(store, type, selector, "${String(name)}", ...)`);
    }
    return sub;
  }

  private async toServingNode(sub: GatewaySub, op: Op, args: Record<string, unknown>): Promise<void> {
    const link = sub.link;
    // Between nodes (failover in progress) an ack has nowhere to go; the resumed delivery repeats the event.
    if (!link || link.closed) return;
    await link.request(op, { ...args, store: sub.store, worker: '' }, this.timeoutMs);
  }

  async recordSnapshot(store: string, sourceUuid: string, streamUuid: string, version: number, snapshotRecord: unknown): Promise<void> {
    validateStore(store);
    await this.call(store, 'recordSnapshot', snapArgs(sourceUuid, streamUuid, version, { record: snapshotRecord }));
  }

  async readSnapshot(store: string, sourceUuid: string, streamUuid: string, version: number): Promise<SnapshotRecord> {
    validateStore(store);
    return (await this.call(store, 'readSnapshot', snapArgs(sourceUuid, streamUuid, version))) as SnapshotRecord;
  }

  async deleteSnapshot(store: string, sourceUuid: string, streamUuid: string, version: number): Promise<void> {
    validateStore(store);
    await this.call(store, 'deleteSnapshot', snapArgs(sourceUuid, streamUuid, version));
  }

  async listSnapshots(store: string, sourceUuid = 'any', streamUuid = 'any'): Promise<SnapshotRecord[]> {
    validateStore(store);
    validateUuidArg(sourceUuid, 'sourceUuid', true);
    validateUuidArg(streamUuid, 'streamUuid', true);
    return (await this.call(store, 'listSnapshots', { sourceUuid, streamUuid })) as SnapshotRecord[];
  }

  /** Every (store, node) pair the registry knows. */
  async listStores(): Promise<StoreLocation[]> {
    return this.registry.stores();
  }

  gatewayWorkers(): WorkerDescriptor[] {
    return this.registry.workers();
  }

  gatewayWorkersForStore(store: string): WorkerDescriptor[] {
    return this.registry.workersForStore(store);
  }

  /** Stops every subscription started through this API. */
  async close(): Promise<void> {
    await Promise.all(this.subs.all().map((s) => this.closeSub(s)));
  }
}

function snapArgs(sourceUuid: string, streamUuid: string, version: number, extra: Record<string, unknown> = {}) {
  return {
    sourceUuid: validateUuidArg(sourceUuid, 'sourceUuid'),
    streamUuid: validateUuidArg(streamUuid, 'streamUuid'),
    version: validateNonNegativeInt(version, 'snapshot version'),
    ...extra,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
