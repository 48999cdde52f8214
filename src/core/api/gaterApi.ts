import { eventsToSend, validateSnapshotRecord } from '../eventValidation.js';
import type { LogFn } from '../log.js';
import type { WorkerRegistry } from '../registry/workerRegistry.js';
import { describeGroupEvent } from '../registry/storageGroups.js';
import type {
  AppendResult,
  Direction,
  EventRecord,
  ExpectedVersion,
  NackAction,
  NewEvent,
  ParkedEvent,
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
  validateNonNegativeInt,
  validateRead,
  validateStore,
  validateStreamId,
  validateUuidArg,
} from '../validation.js';
import { Router } from './router.js';
import type { CallStats } from './callStats.js';
import { SubscriptionClient } from './subscriptionClient.js';
import type { SubscribeOptions, Subscription } from './subscription.js';
import { streamOfSelector } from '../matching.js';
import type { SnapshotKey } from '../wire/ops.js';
import { SubscriptionControl } from './subscriptionControl.js';
import type { PubSub } from './pubsub.js';

export interface GaterApiOptions {
  /** Per-call timeout (default 5000 ms). */
  timeoutMs?: number;
  /** How long to wait for a worker of the store before `no_workers` (default 5000 ms); a call goes as soon as a worker registers. */
  noWorkersWaitMs?: number;
  /** Reports subscriber callback errors and failover trouble (never thrown at the caller). */
  onError?: (e: unknown) => void;
  /** Worker waits and failovers, as the reference's `🚪 [GaterAPI]` lines. */
  log?: LogFn;
}

const STREAM_PAGE = 500;

/**
 * The public event-store API (DESIGN §3): per-store random routing over the WorkerRegistry, waiting for
 * workers, failover of safe requests, typed errors. Every append carries event ids assigned here, so a retry
 * after a lost connection is idempotent on the node.
 */
export class GaterApi {
  private readonly router: Router;
  private readonly subscriptions: SubscriptionClient;
  private readonly control: SubscriptionControl;
  private readonly stopGroupLog: () => void;

  constructor(
    readonly registry: WorkerRegistry,
    readonly pubsub: PubSub,
    options: GaterApiOptions = {},
  ) {
    this.router = new Router(registry, options);
    this.control = new SubscriptionControl(this.router);
    this.subscriptions = new SubscriptionClient(this.router, pubsub, options.onError ?? (() => {}));
    const log = options.log ?? (() => {});
    this.stopGroupLog = registry.onGroupEvent((e) => log('warn', `🚪 [GaterAPI] ${describeGroupEvent(e)}`));
  }

  /** This gateway's call latency per node (HDR histograms), and every sample for tools that listen. */
  get callStats(): CallStats {
    return this.router.stats;
  }

  /** Appends events; returns the new stream version (number of the last event). */
  async appendEvents(
    store: string,
    streamId: string,
    events: NewEvent[],
    expectedVersion: ExpectedVersion = 'any',
  ): Promise<number> {
    return (await this.appendEventsDetailed(store, streamId, events, expectedVersion)).version;
  }

  /**
   * Appends events; returns the stream version after them and `deduplicated: true` when every event id was already
   * stored (a re-sent batch: nothing written, `version` is that of its last event). A batch of which only some ids
   * are stored fails with `duplicate_event`. A `timeout` means the outcome is unknown: re-sending the same events
   * (same ids) is safe.
   */
  async appendEventsDetailed(
    store: string,
    streamId: string,
    events: NewEvent[],
    expectedVersion: ExpectedVersion = 'any',
  ): Promise<AppendResult> {
    validateStore(store);
    validateStreamId(streamId);
    const expected = validateExpectedVersion(expectedVersion);
    // The one validation (DESIGN §4.3), before anything is sent on any path. Ids are fixed here, once, so any
    // retry of this batch (lost connection, timeout, failover) is recognised by the store as already written.
    // Checked copies: an in-process node takes them as they are, without checking or copying them again.
    const withIds = eventsToSend(events);
    const args = { streamId, events: withIds, expectedVersion: expected, detailed: true };
    const r = await this.router.call(store, 'append', args);
    return typeof r === 'number' ? { version: r, deduplicated: false } : r;
  }

  async getEvents(
    store: string,
    streamId: string,
    startVersion: number,
    count: number,
    direction: Direction = 'forward',
  ): Promise<EventRecord[]> {
    validateStore(store);
    validateStreamId(streamId);
    validateRead(startVersion, count, direction);
    return this.router.call(store, 'read', { streamId, startVersion, count, direction });
  }

  /** Forward from startVersion, `count` versions at most, fetched page by page. */
  streamForward(store: string, streamId: string, startVersion: number, count: number): AsyncIterable<EventRecord> {
    return this.pages(store, streamId, startVersion, count, 'forward');
  }

  /** Backward from startVersion (inclusive), `count` versions at most, fetched page by page. */
  streamBackward(store: string, streamId: string, startVersion: number, count: number): AsyncIterable<EventRecord> {
    return this.pages(store, streamId, startVersion, count, 'backward');
  }

  private async *pages(
    store: string,
    streamId: string,
    start: number,
    count: number,
    direction: Direction,
  ): AsyncGenerator<EventRecord> {
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
    return this.router.call(store, 'getVersion', { streamId });
  }

  /** Global position of the store's last event (-1 when empty): where a live-only `$all` view starts. */
  async getHeadPosition(store: string): Promise<number> {
    validateStore(store);
    return this.router.call(store, 'headPosition', {});
  }

  /** Events of every stream in global order, from `fromPosition`, at most `count` (one page; at most 1000). */
  async readAll(store: string, fromPosition: number, count: number): Promise<EventRecord[]> {
    validateStore(store);
    return this.router.call(store, 'readAll', {
      fromPosition: validateNonNegativeInt(fromPosition, 'fromPosition'),
      count: validateNonNegativeInt(count, 'count'),
    });
  }

  /**
   * One page of the events linked to `keys` by event id, correlation id or causation id (metadata
   * `correlation_id`/`correlationId`/`$correlationId`, likewise causation), after `afterPosition`, ascending.
   * Served from the storage's indexes. See `followCorrelation` for the whole transaction.
   */
  async correlated(store: string, keys: string[], afterPosition = -1, count = 1000): Promise<EventRecord[]> {
    validateStore(store);
    return this.router.call(store, 'correlated', {
      keys,
      afterPosition,
      count: validateNonNegativeInt(count, 'count'),
    });
  }

  /** Every event of the store from `fromPosition` up to `toPosition` (inclusive), fetched page by page. */
  async *streamAll(store: string, fromPosition = 0, toPosition = Number.MAX_SAFE_INTEGER): AsyncGenerator<EventRecord> {
    let pos = fromPosition;
    while (pos <= toPosition) {
      const page = await this.readAll(store, pos, Math.min(STREAM_PAGE, toPosition - pos + 1));
      for (const e of page) if (e.position <= toPosition) yield e;
      if (page.length === 0) return;
      pos = page[page.length - 1]!.position + 1;
    }
  }

  async getStreams(store: string): Promise<string[]> {
    validateStore(store);
    return this.router.call(store, 'getStreams', {});
  }

  /**
   * Registers a subscription; resolves once the node has it. Deliveries go to `subscriber`, or to pubsub topic
   * `"<store>:<sub_topic>"` as `{ events }`. A named subscription is persistent (acks, redelivery, parking).
   * Returns a handle whose `close()` stops this subscription (the stored record of a named one stays).
   */
  saveSubscription(
    store: string,
    type: SubscriptionType,
    selector: Selector,
    name = 'transient',
    startFrom = 0,
    subscriber?: Subscriber,
    options?: SubscriptionOptions,
  ): Promise<{ topic: string; close(): Promise<void> }> {
    return this.subscriptions.saveSubscription(store, type, selector, name, startFrom, subscriber, options);
  }

  /**
   * Starts a subscription and returns its handle: an async iterator of the delivered events (in order, one at a
   * time) with `ack` / `nack` for a persistent one, `close()`, and `closed()` saying why it ended. The way to
   * consume a subscription where each event is shown and then acknowledged.
   */
  subscribe(
    store: string,
    type: SubscriptionType,
    selector: Selector,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    return this.subscriptions.subscribe(store, type, selector, options);
  }

  /**
   * Where a live-only view starts: just after the stream's last event for `$<stream>`, just after the store's
   * head otherwise, so a new view does not replay the whole store.
   */
  async liveStart(store: string, type: SubscriptionType, selector: Selector): Promise<number> {
    const stream = streamOfSelector(type, selector);
    if (stream !== undefined) return (await this.getVersion(store, stream)) + 1;
    return (await this.getHeadPosition(store)) + 1;
  }

  /** Stops matching subscriptions started here and deletes the stored record of a named one. */
  removeSubscription(store: string, type: SubscriptionType, selector: Selector, name = 'transient'): Promise<void> {
    return this.subscriptions.removeSubscription(store, type, selector, name);
  }

  /** Subscriptions of the store on every node hosting it, merged (a running instance wins over a stored record). */
  getSubscriptions(store: string): Promise<SubscriptionInfo[]> {
    return this.subscriptions.getSubscriptions(store);
  }

  /** Parked events of a persistent subscription: position, event, retries, reason, when parked. */
  listParked(store: string, name: string): Promise<ParkedEvent[]> {
    return this.control.listParked(store, name);
  }

  /** Delivers parked events (all, or at these global positions) again to the attached subscriber. */
  replayParked(store: string, name: string, positions?: number[]): Promise<{ replayed: number }> {
    return this.control.replayParked(store, name, positions);
  }

  /** Drops parked events (all, or at these global positions) for good. */
  skipParked(store: string, name: string, positions?: number[]): Promise<{ skipped: number }> {
    return this.control.skipParked(store, name, positions);
  }

  /** Moves a persistent subscription's checkpoint to `to` (backwards re-delivers, forwards skips). */
  resetSubscription(store: string, name: string, to: number): Promise<{ reset: number }> {
    return this.control.resetSubscription(store, name, to);
  }

  /** Stops and deletes the persistent subscription(s) named `name`, parked events included. */
  deleteSubscription(store: string, name: string): Promise<{ deleted: number }> {
    return this.control.deleteSubscription(store, name);
  }

  /** Acknowledges a delivered event of a named subscription (moves its checkpoint). */
  ackEvent(store: string, subscriptionName: string, subscriber: unknown, event: EventRecord): Promise<void> {
    return this.subscriptions.ackEvent(store, subscriptionName, subscriber, event);
  }

  /** retry: redeliver now; park: set aside (counted in `parked`); skip: treat as handled. */
  nackEvent(
    store: string,
    subscriptionName: string,
    subscriber: unknown,
    event: EventRecord,
    action: NackAction = 'retry',
  ): Promise<void> {
    return this.subscriptions.nackEvent(store, subscriptionName, subscriber, event, action);
  }

  async recordSnapshot(
    store: string,
    sourceUuid: string,
    streamUuid: string,
    version: number,
    snapshotRecord: unknown,
  ): Promise<void> {
    validateStore(store);
    // Checked here too (not copied: it is encoded or copied by the node), so an oversized record is refused with its
    // own error before a frame is built for it.
    validateSnapshotRecord(snapshotRecord, { copy: false });
    await this.router.call(store, 'recordSnapshot', {
      ...snapshotKey(sourceUuid, streamUuid, version),
      record: snapshotRecord,
    });
  }

  async readSnapshot(store: string, sourceUuid: string, streamUuid: string, version: number): Promise<SnapshotRecord> {
    validateStore(store);
    return this.router.call(store, 'readSnapshot', snapshotKey(sourceUuid, streamUuid, version));
  }

  /** Resolves true when a snapshot was removed, false when there was none (deleting twice is harmless). */
  async deleteSnapshot(store: string, sourceUuid: string, streamUuid: string, version: number): Promise<boolean> {
    validateStore(store);
    return this.router.call(store, 'deleteSnapshot', snapshotKey(sourceUuid, streamUuid, version));
  }

  async listSnapshots(store: string, sourceUuid = 'any', streamUuid = 'any'): Promise<SnapshotRecord[]> {
    validateStore(store);
    validateUuidArg(sourceUuid, 'sourceUuid', true);
    validateUuidArg(streamUuid, 'streamUuid', true);
    return this.router.call(store, 'listSnapshots', { sourceUuid, streamUuid });
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
  close(): Promise<void> {
    this.router.close();
    this.stopGroupLog();
    return this.subscriptions.close();
  }
}

function snapshotKey(sourceUuid: string, streamUuid: string, version: number): SnapshotKey {
  return {
    sourceUuid: validateUuidArg(sourceUuid, 'sourceUuid'),
    streamUuid: validateUuidArg(streamUuid, 'streamUuid'),
    version: validateNonNegativeInt(version, 'snapshot version'),
  };
}
