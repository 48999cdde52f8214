import { newId } from '../../core/ids.js';
import { GaterError, invalidArgument } from '../../core/errors.js';
import { makeFilter, normaliseSelector, streamOfSelector, subscriptionKey, topicFor } from '../../core/matching.js';
import type {
  AppendResult,
  EventRecord,
  ExpectedVersion,
  NackAction,
  ParkedEvent,
  SnapshotRecord,
  SubscriptionInfo,
  SubscriptionOptions,
  SubscriptionType,
  Selector,
} from '../../core/types.js';
import {
  validateExpectedVersion,
  validateRead,
  validateStreamId,
  validateSubscriptionName,
  validateSubscriptionType,
  validateNonNegativeInt,
  describeValue,
} from '../../core/validation.js';
import { validateEvents, validateSnapshotRecord } from '../../core/eventValidation.js';
import type { StorageAdapter, StoredSubscription } from '../storage/storageAdapter.js';
import { LiveSubscription, type PushFlow } from './liveSubscription.js';

/** Defaults of DESIGN §4.6. */
export const DEFAULT_ACK_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RETRIES = 10;
export const DEFAULT_MAX_IN_FLIGHT = 1000;
/** Largest page of one readAll request (a page must fit one frame). */
export const READ_ALL_MAX = 1000;
/** Most ids one `correlated` request may ask about. */
export const CORRELATED_KEYS_MAX = 1000;

export interface SubscribeRequest {
  type: unknown;
  selector: unknown;
  name?: unknown;
  startFrom?: unknown;
  /** `{ ackTimeoutMs?, maxRetries? }` as the gateway sent it (checked here). */
  options?: unknown;
  /** Id for the running instance (default: a new ULID); ack/nack and closeSub use it. */
  id?: string;
  /** Where batches go (the node pushes them to the gateway that asked). */
  deliver: (events: EventRecord[]) => void;
  /** The connection's flow control, when it has one: a lagging subscriber is paused, not buffered. */
  flow?: PushFlow;
}

/**
 * The event-store engine for one store on one node: validated appends and reads over a StorageAdapter, plus
 * the subscriptions this node serves. Stateless about data (storage holds it), stateful about live subscribers.
 */
export class EventStore {
  private readonly subs = new Map<string, LiveSubscription>();
  private readonly unwatch: () => void;

  constructor(
    readonly store: string,
    private readonly adapter: StorageAdapter,
    private readonly onError: (e: unknown) => void = () => {},
    /** Told when a subscription starts or stops lagging (its subscriber is not keeping up). */
    private readonly onLagging: (id: string, name: string, lagging: boolean) => void = () => {},
  ) {
    // Appends by other processes sharing the storage: every subscription pulls from its cursor.
    this.unwatch = adapter.watch(store, () => {
      for (const s of this.subs.values()) s.notify();
    });
  }

  /**
   * Appends `events` atomically; returns the new stream version, and whether every event id was already stored
   * (then nothing was written and `version` is that of the batch's last event: DESIGN §4.3).
   * @param owned the events are already a private copy (parsed from a frame): validate without copying.
   */
  async append(streamId: unknown, events: unknown, expectedVersion?: unknown, owned = false): Promise<AppendResult> {
    const stream = validateStreamId(streamId);
    const expected: ExpectedVersion = validateExpectedVersion(expectedVersion);
    const prepared = validateEvents(events, { copy: !owned });
    if (prepared.length === 0)
      return { version: await this.adapter.getVersion(this.store, stream), deduplicated: false };
    const outcome = await this.adapter.append(this.store, stream, prepared, expected);
    if (!outcome.ok && outcome.duplicateEventId !== undefined) {
      const id = outcome.duplicateEventId;
      throw new GaterError(
        'duplicate_event',
        `event id "${id}" is already stored in store "${this.store}" and this batch also holds events that are not: event ids are unique per store. To retry a batch, re-send it whole and unchanged; give new events new ids`,
        { eventId: id, stream, current: outcome.current },
      );
    }
    if (!outcome.ok) {
      throw new GaterError(
        'wrong_expected_version',
        `stream "${stream}" is at version ${outcome.current}, not ${String(expected)}; re-read it and retry with expected version ${outcome.current}`,
        { expected, current: outcome.current, stream },
      );
    }
    // Records handed over directly only where positions commit in order; elsewhere subscriptions read them.
    const fresh = this.adapter.positionsInCommitOrder === false ? undefined : outcome.records;
    if (outcome.records.length > 0) for (const s of this.subs.values()) s.notify(fresh);
    return { version: outcome.version, deduplicated: outcome.duplicate };
  }

  /** Reads with the reference's validation and clipping (EXESDB_SPEC §2.6): out-of-range versions are dropped. */
  async read(
    streamId: unknown,
    startVersion: unknown,
    count: unknown,
    direction: unknown = 'forward',
  ): Promise<EventRecord[]> {
    const stream = validateStreamId(streamId);
    const r = validateRead(startVersion, count, direction);
    if (r.direction === 'forward') return this.adapter.readStream(this.store, stream, r.start, r.start + r.count - 1);
    const lo = r.start - r.count + 1;
    const events = await this.adapter.readStream(this.store, stream, Math.max(0, lo), r.start);
    return events.reverse();
  }

  getVersion(streamId: unknown): Promise<number> {
    return this.adapter.getVersion(this.store, validateStreamId(streamId));
  }

  getStreams(): Promise<string[]> {
    return this.adapter.getStreams(this.store);
  }

  headPosition(): Promise<number> {
    return this.adapter.headPosition(this.store);
  }

  /** Events of every stream by global position, from `fromPosition`, at most `count` (export of `$all`). */
  readAll(fromPosition: unknown, count: unknown): Promise<EventRecord[]> {
    const from = validateNonNegativeInt(fromPosition, 'fromPosition');
    const n = validateNonNegativeInt(count, 'count');
    if (n < 1 || n > READ_ALL_MAX) throw invalidArgument(`count must be 1..${READ_ALL_MAX}, got ${n}`);
    return this.adapter.readAll(this.store, from, n);
  }

  /** Events linked to `keys` by event id, correlation or causation (one page of a `follow`). */
  findCorrelated(keys: unknown, afterPosition: unknown, count: unknown): Promise<EventRecord[]> {
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > CORRELATED_KEYS_MAX)
      throw invalidArgument(`keys must be a list of 1..${CORRELATED_KEYS_MAX} ids`);
    for (const [i, k] of keys.entries())
      if (typeof k !== 'string' || k.length === 0 || k.length > 512)
        throw invalidArgument(`keys[${i}] must be a non-empty string of at most 512 characters`);
    const after = afterPosition === -1 ? -1 : validateNonNegativeInt(afterPosition, 'afterPosition');
    const n = validateNonNegativeInt(count, 'count');
    if (n < 1 || n > READ_ALL_MAX) throw invalidArgument(`count must be 1..${READ_ALL_MAX}, got ${n}`);
    return this.adapter.findCorrelated(this.store, keys as string[], after, n);
  }

  /**
   * Starts a subscription and returns its id. Replays from startFrom (stream version for `$<stream>`, global
   * position otherwise), then goes live. A named subscription resumes from its stored checkpoint.
   */
  async subscribe(req: SubscribeRequest): Promise<string> {
    const type = validateSubscriptionType(req.type);
    const selector = normaliseSelector(type, req.selector);
    const name = validateSubscriptionName(req.name);
    const startFrom = validateNonNegativeInt(req.startFrom, 'startFrom', 0);
    const persistent = name !== 'transient';
    const options = subscriptionOptionsArg(req.options);
    const ackTimeoutMs = validateNonNegativeInt(options.ackTimeoutMs, 'ackTimeoutMs', DEFAULT_ACK_TIMEOUT_MS);
    const maxRetries = validateNonNegativeInt(options.maxRetries, 'maxRetries', DEFAULT_MAX_RETRIES);
    const replace = options.replace ?? false;
    if (typeof replace !== 'boolean')
      throw invalidArgument(`options.replace must be true or false, got ${describeValue(replace)}`);
    let cursor = startFrom;
    let key: string | undefined;
    if (persistent) {
      key = subscriptionKey(type, selector, name);
      const records = await this.adapter.listSubscriptions(this.store);
      await this.claimName(name, key, records, replace);
      const existing = records.find((s) => s.key === key);
      // An existing record keeps its checkpoint: a re-attaching subscriber resumes where acks left off.
      cursor = existing ? existing.checkpoint : startFrom;
      const stored: StoredSubscription = {
        key,
        type,
        selector,
        name,
        startFrom,
        checkpoint: cursor,
        ackTimeoutMs,
        maxRetries,
      };
      await this.adapter.saveSubscription(this.store, existing ? { ...stored, startFrom: existing.startFrom } : stored);
      // One live instance per persistent subscription on this node: the newest subscriber replaces the old.
      for (const s of this.subs.values()) if (s.opts.persistent?.key === key) this.closeSub(s.id);
    }
    const id = req.id ?? newId();
    if (this.subs.has(id)) throw invalidArgument(`subscription id ${id} is already in use`);
    const sub = new LiveSubscription({
      id,
      store: this.store,
      type,
      selector,
      name,
      startFrom,
      topic: topicFor(this.store, type, name, selector),
      filter: makeFilter(type, selector),
      stream: streamOfSelector(type, selector),
      cursor,
      deliver: req.deliver,
      flow: req.flow,
      onLagging: (lagging) => this.onLagging(id, name, lagging),
      adapter: this.adapter,
      persistent: key ? { key, ackTimeoutMs, maxRetries, maxInFlight: DEFAULT_MAX_IN_FLIGHT } : undefined,
      onError: this.onError,
    });
    this.subs.set(id, sub);
    void sub.pull();
    return id;
  }

  /**
   * A subscription name is unique per store: another stored subscription under `name` (another type or selector)
   * is refused, or with `replace` deleted — record, checkpoint, parked events — and its running instances here
   * stopped.
   */
  private async claimName(name: string, key: string, stored: StoredSubscription[], replace: boolean): Promise<void> {
    const others = stored.filter((s) => s.name === name && s.key !== key);
    if (others.length === 0) return;
    if (!replace) {
      const o = others[0]!;
      throw new GaterError(
        'invalid_argument',
        `subscription "${name}" already exists in store ${this.store} for ${o.type} ${JSON.stringify(o.selector)}: subscribe with that selector to resume it, choose another name, or replace it (--replace; its checkpoint and parked events are dropped)`,
        { name, existing: { type: o.type, selector: o.selector } },
      );
    }
    for (const o of others) {
      for (const s of [...this.subs.values()]) if (s.opts.persistent?.key === o.key) this.closeSub(s.id);
      await this.adapter.deleteSubscription(this.store, o.key);
    }
  }

  /** Stops a running subscription by id (the stored record of a named one stays). */
  closeSub(id: string): boolean {
    const s = this.subs.get(id);
    if (!s) return false;
    s.close();
    this.subs.delete(id);
    return true;
  }

  /** removeSubscription: stops matching running instances and deletes the stored record of a named one. */
  async removeSubscription(type: unknown, selector: unknown, name?: unknown): Promise<void> {
    const t = validateSubscriptionType(type);
    const sel = normaliseSelector(t, selector);
    const n = validateSubscriptionName(name);
    const key = subscriptionKey(t, sel, n);
    for (const s of [...this.subs.values()]) {
      if (subscriptionKey(s.opts.type, s.opts.selector, s.opts.name) === key) this.closeSub(s.id);
    }
    if (n !== 'transient') await this.adapter.deleteSubscription(this.store, key);
  }

  private findPersistent(name: unknown, subId?: unknown): LiveSubscription {
    for (const s of this.subs.values()) {
      if (s.opts.persistent && s.opts.name === name && (subId === undefined || s.id === subId)) return s;
    }
    for (const s of this.subs.values()) if (s.opts.persistent && s.opts.name === name) return s;
    throw new GaterError(
      'not_found',
      `no running subscription named ${describeValue(name)} on this node; create it with saveSubscription first`,
      {
        name: typeof name === 'string' ? name : undefined,
      },
    );
  }

  ack(name: unknown, subId: unknown, event: unknown): void {
    this.findPersistent(name, subId).ack(eventRef(event));
  }

  nack(name: unknown, subId: unknown, event: unknown, action: NackAction): void {
    this.findPersistent(name, subId).nack(eventRef(event), action);
  }

  /** Stored records of the persistent subscriptions named `name` (one per type and selector); not_found if none. */
  private async storedByName(name: unknown): Promise<StoredSubscription[]> {
    const n = validateSubscriptionName(name);
    const found = (await this.adapter.listSubscriptions(this.store)).filter((s) => s.name === n);
    if (found.length === 0)
      throw new GaterError(
        'not_found',
        `no subscription named "${n}" in ${this.store}; list them with: subscriptions`,
        {
          name: n,
        },
      );
    return found;
  }

  private running(key: string): LiveSubscription | undefined {
    for (const s of this.subs.values()) if (s.opts.persistent?.key === key) return s;
    return undefined;
  }

  /** Parked events of the subscription(s) named `name`, oldest first. */
  async listParked(name: unknown): Promise<ParkedEvent[]> {
    const out: ParkedEvent[] = [];
    for (const s of await this.storedByName(name)) out.push(...(await this.adapter.listParked(this.store, s.key)));
    return out;
  }

  /**
   * Replays parked events (all, or those at `positions`) to the subscriber attached on THIS node: they leave the
   * parked list and are delivered again. Returns how many; 0 with `running: false` when no subscriber is attached
   * here (the gateway asks every node and reports when none had one).
   */
  async replayParked(name: unknown, positions?: unknown): Promise<{ replayed: number; running: boolean }> {
    const only = positionsArg(positions);
    let replayed = 0;
    let running = false;
    for (const s of await this.storedByName(name)) {
      const live = this.running(s.key);
      if (!live) continue;
      running = true;
      const claimed = await this.adapter.unparkEvents(this.store, s.key, only);
      const records: EventRecord[] = [];
      for (const p of claimed.sort((a, b) => a - b)) {
        const [r] = await this.adapter.readAll(this.store, p, 1);
        if (r && r.position === p) records.push(r);
      }
      live.redeliver(records);
      replayed += records.length;
    }
    return { replayed, running };
  }

  /** Drops parked events (all, or those at `positions`) for good: they count as handled. */
  async skipParked(name: unknown, positions?: unknown): Promise<{ skipped: number }> {
    const only = positionsArg(positions);
    let skipped = 0;
    for (const s of await this.storedByName(name))
      skipped += (await this.adapter.unparkEvents(this.store, s.key, only)).length;
    return { skipped };
  }

  /**
   * Moves the subscription's checkpoint to `to` (stream version for `$<stream>`, global position otherwise):
   * backwards re-delivers, forwards skips. A subscriber attached here restarts from there at once.
   */
  async resetSubscription(name: unknown, to: unknown): Promise<{ reset: number }> {
    const position = validateNonNegativeInt(to, 'to');
    const found = await this.storedByName(name);
    for (const s of found) {
      await this.running(s.key)?.flushed();
      await this.adapter.resetCheckpoint(this.store, s.key, position);
      this.running(s.key)?.reset(position);
    }
    return { reset: found.length };
  }

  /** Stops and deletes the subscription(s) named `name` with their parked events. */
  async deleteSubscription(name: unknown): Promise<{ deleted: number }> {
    const found = await this.storedByName(name);
    for (const s of found) {
      for (const live of [...this.subs.values()]) if (live.opts.persistent?.key === s.key) this.closeSub(live.id);
      await this.adapter.deleteSubscription(this.store, s.key);
    }
    return { deleted: found.length };
  }

  /** Stored named subscriptions plus every running one, with checkpoint, in-flight, parked and lag. */
  async getSubscriptions(): Promise<SubscriptionInfo[]> {
    const head = await this.adapter.headPosition(this.store);
    const stored = await this.adapter.listSubscriptions(this.store);
    const out: SubscriptionInfo[] = [];
    const seen = new Set<string>();
    const lagOf = async (type: SubscriptionType, selector: Selector, checkpoint: number) => {
      const stream = streamOfSelector(type, selector);
      const top = stream === undefined ? head : await this.adapter.getVersion(this.store, stream);
      return Math.max(0, top + 1 - checkpoint);
    };
    for (const s of this.subs.values()) {
      const { type, selector, name, startFrom, topic, persistent } = s.opts;
      if (persistent) seen.add(persistent.key);
      const parked = persistent ? (await this.adapter.listParked(this.store, persistent.key)).length : 0;
      out.push({
        type,
        selector,
        name,
        startFrom,
        topic,
        persistent: !!persistent,
        active: true,
        checkpoint: s.checkpoint,
        inFlight: s.inFlightCount,
        oldestUnackedMs: s.oldestInFlightMs(),
        parked,
        lag: await lagOf(type, selector, s.checkpoint),
        lagging: s.lagging,
      });
    }
    for (const r of stored) {
      if (seen.has(r.key)) continue;
      out.push({
        type: r.type,
        selector: r.selector,
        name: r.name,
        startFrom: r.startFrom,
        topic: topicFor(this.store, r.type, r.name, r.selector),
        persistent: true,
        active: false,
        checkpoint: r.checkpoint,
        inFlight: 0,
        oldestUnackedMs: 0,
        parked: (await this.adapter.listParked(this.store, r.key)).length,
        lag: await lagOf(r.type, r.selector, r.checkpoint),
      });
    }
    return out;
  }

  async recordSnapshot(sourceUuid: string, streamUuid: string, version: number, record: unknown): Promise<void> {
    await this.adapter.recordSnapshot(this.store, {
      sourceUuid,
      streamUuid,
      version,
      record: validateSnapshotRecord(record),
      created: new Date().toISOString(),
    });
  }

  async readSnapshot(sourceUuid: string, streamUuid: string, version: number): Promise<SnapshotRecord> {
    const s = await this.adapter.readSnapshot(this.store, sourceUuid, streamUuid, version);
    if (!s) {
      throw new GaterError(
        'not_found',
        `no snapshot for source "${sourceUuid}", stream "${streamUuid}" at version ${version}; list them with listSnapshots`,
        {
          sourceUuid,
          streamUuid,
          version,
        },
      );
    }
    return s;
  }

  deleteSnapshot(sourceUuid: string, streamUuid: string, version: number): Promise<boolean> {
    return this.adapter.deleteSnapshot(this.store, sourceUuid, streamUuid, version);
  }

  listSnapshots(sourceUuid: string, streamUuid: string): Promise<SnapshotRecord[]> {
    return this.adapter.listSnapshots(this.store, sourceUuid, streamUuid);
  }

  /** Number of running subscriptions (status). */
  get subscriptionCount(): number {
    return this.subs.size;
  }

  /** Waits for pending checkpoint/park writes (clean shutdown, tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.subs.values()].map((s) => s.flushed()));
  }

  close(): void {
    this.unwatch();
    for (const id of [...this.subs.keys()]) this.closeSub(id);
  }
}

function positionsArg(v: unknown): number[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length === 0)
    throw invalidArgument(`positions must be a non-empty array of global positions, got ${describeValue(v)}`);
  return v.map((p, i) => validateNonNegativeInt(p, `positions[${i}]`));
}

function eventRef(event: unknown): { position?: number; eventNumber?: number } {
  if (!event || typeof event !== 'object')
    throw invalidArgument('ack/nack needs the delivered event record (with position and eventNumber)');
  const { position, eventNumber } = event as { position?: unknown; eventNumber?: unknown };
  if (typeof position !== 'number' && typeof eventNumber !== 'number') {
    throw invalidArgument('ack/nack needs the delivered event record (with position and eventNumber)');
  }
  return { position: position as number | undefined, eventNumber: eventNumber as number | undefined };
}

function subscriptionOptionsArg(v: unknown): { readonly [K in keyof SubscriptionOptions]?: unknown } {
  if (v === undefined || v === null) return {};
  if (typeof v === 'object' && !Array.isArray(v)) return v;
  throw invalidArgument(`subscription options must be an object {ackTimeoutMs?, maxRetries?}, got ${describeValue(v)}`);
}
