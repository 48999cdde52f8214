import type { ValidatedEvent } from '../../core/eventValidation.js';
import type {
  EventRecord,
  ExpectedVersion,
  ParkedEvent,
  SnapshotRecord,
  SubscriptionType,
  Selector,
} from '../../core/types.js';

/**
 * An event ready to be written: validated and owned by the engine (its `data`/`metadata` are private copies),
 * with its id assigned. Numbers, position and timestamps are given by the adapter inside the append step.
 */
export type PreparedEvent = ValidatedEvent;

export type AppendOutcome =
  /** Written, or (when `duplicate`) every event id was already stored, in this stream and order: nothing written. */
  | { ok: true; version: number; records: EventRecord[]; duplicate: boolean }
  /**
   * Nothing written: the expected-version check failed (`current` is the stream's version), or, with
   * `duplicateEventId`, some but not all of the batch's ids are already stored (that one among them).
   */
  | { ok: false; current: number; duplicateEventId?: string };

/** A persistent (named) subscription as storage keeps it. */
export interface StoredSubscription {
  /** Deterministic identity of (type, selector, name); see subscriptionKey(). */
  key: string;
  type: SubscriptionType;
  selector: Selector;
  name: string;
  startFrom: number;
  /** Next position not yet acknowledged (stream version for `$<stream>`, global position otherwise). */
  checkpoint: number;
  ackTimeoutMs: number;
  maxRetries: number;
}

/**
 * Durable (or not) home of one or more stores. Every method is one atomic step; an adapter translates its
 * driver's errors into GaterError at this edge. One conformance suite (test/conformance) runs against all.
 */
export interface StorageAdapter {
  /** `memory`, `sqlite` or `postgres`. */
  readonly kind: string;
  /** Human description of the target for errors and status (never a password). */
  readonly target: string;
  /** True when other processes may write the same stores (then `watch` must report their appends). */
  readonly shared: boolean;
  /**
   * False when concurrent appends may commit their positions out of order or interleaved (PostgreSQL): then live
   * subscriptions always read from storage in position order instead of taking an append's records directly.
   */
  readonly positionsInCommitOrder?: boolean;
  /**
   * Identity of the storage itself (DESIGN §8 "storage identity"): the same for every process that opens the
   * same SQLite file or PostgreSQL schema (kept in it), unique per adapter instance for memory. Nodes announcing
   * the same id for a store hold the same data: one consistency group.
   */
  storageId(): Promise<string>;

  /** Stores this storage holds. */
  listStores(): Promise<string[]>;
  /** Makes the store exist (idempotent). */
  ensureStore(store: string): Promise<void>;

  /**
   * One atomic step: (1) event ids are unique per store (storages index them): when every id of `events` is
   * already stored, in `streamId` and in the batch's order, return `{ok, duplicate: true, version}` (the version of
   * the last one) writing nothing; when only some are, return `{ok: false, duplicateEventId}` (classifyStoredIds);
   * (2) check `expected` against the current version
   * (expectedVersionMatches); (3) write all events with eventNumber current+1+i, the store's next global positions
   * and one `created` instant. Concurrent appends to one stream are serialised, including across processes when
   * `shared`. `events` is never empty.
   */
  append(store: string, streamId: string, events: PreparedEvent[], expected: ExpectedVersion): Promise<AppendOutcome>;

  /** Events of a stream with `from <= eventNumber <= to`, ascending. Missing stream -> []. */
  readStream(store: string, streamId: string, from: number, to: number): Promise<EventRecord[]>;
  /** Events of the store with `position >= fromPosition`, ascending, at most `limit`. */
  readAll(store: string, fromPosition: number, limit: number): Promise<EventRecord[]>;
  /**
   * Events of the store whose event id, correlation id or causation id (correlationIdOf / causationIdOf: the
   * metadata's `correlation_id`, `correlationId` or `$correlationId`, likewise for causation) is one of `keys`,
   * with `position > afterPosition`, ascending, at most `limit`. Served from indexes, never a scan of the store.
   */
  findCorrelated(store: string, keys: string[], afterPosition: number, limit: number): Promise<EventRecord[]>;
  /** Last event number of the stream, -1 when missing. */
  getVersion(store: string, streamId: string): Promise<number>;
  /** Ids of streams with at least one event. */
  getStreams(store: string): Promise<string[]>;
  /** Last global position of the store, -1 when empty. */
  headPosition(store: string): Promise<number>;

  /** Upserts by key. */
  saveSubscription(store: string, sub: StoredSubscription): Promise<void>;
  deleteSubscription(store: string, key: string): Promise<void>;
  listSubscriptions(store: string): Promise<StoredSubscription[]>;
  /** Moves the checkpoint (only forward: a smaller value is ignored). */
  saveCheckpoint(store: string, key: string, checkpoint: number): Promise<void>;
  parkEvent(store: string, key: string, parked: ParkedEvent): Promise<void>;
  listParked(store: string, key: string): Promise<ParkedEvent[]>;
  /**
   * Removes parked events of a subscription (every one when `positions` is undefined) and returns the global
   * positions it removed: concurrent callers (replay on two nodes) never both get the same event.
   */
  unparkEvents(store: string, key: string, positions?: number[]): Promise<number[]>;
  /** Sets the checkpoint to `checkpoint`, backwards too (an operator's reset). */
  resetCheckpoint(store: string, key: string, checkpoint: number): Promise<void>;

  /** Stores (replacing) the snapshot at (sourceUuid, streamUuid, version). */
  recordSnapshot(store: string, snapshot: SnapshotRecord): Promise<void>;
  readSnapshot(
    store: string,
    sourceUuid: string,
    streamUuid: string,
    version: number,
  ): Promise<SnapshotRecord | undefined>;
  /** True when a snapshot was removed, false when there was none. */
  deleteSnapshot(store: string, sourceUuid: string, streamUuid: string, version: number): Promise<boolean>;
  /** 'any' matches every value; ordered by sourceUuid, streamUuid, version. */
  listSnapshots(store: string, sourceUuid: string, streamUuid: string): Promise<SnapshotRecord[]>;

  /**
   * Calls `onAppend` (soon) after events are appended to `store` by ANOTHER process or node sharing this storage,
   * so the engine can follow the global position. Adapters that are not `shared` may return a no-op.
   * Returns the unsubscribe function.
   */
  watch(store: string, onAppend: () => void): () => void;

  close(): Promise<void>;
}

/** The expected-version rule of DESIGN §3/§4, one pure function shared by every adapter. */
export function expectedVersionMatches(current: number, expected: ExpectedVersion): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === -1;
  if (expected === 'stream_exists') return current >= 0;
  return current === expected;
}

/** Where a stored event id lives. */
export interface StoredId {
  stream: string;
  version: number;
}

/** What the store already holds of a batch's ids (DESIGN §4.3). */
export type StoredIds =
  /** None of them: a new batch. */
  | { kind: 'new' }
  /** All, in this stream and in the batch's order: a re-sent batch; `version` is that of its last event. */
  | { kind: 'stored'; version: number }
  /** Some, or all but elsewhere or in another order: refused, naming the first stored id. */
  | { kind: 'conflict'; eventId: string };

/** The id rule every adapter applies, given a lookup of the batch's ids in its event-id index. */
export function classifyStoredIds(
  streamId: string,
  ids: readonly string[],
  lookup: (id: string) => StoredId | undefined,
): StoredIds {
  let first: string | undefined;
  let hits = 0;
  let inOrder = true;
  let last = -1;
  for (const id of ids) {
    const at = lookup(id);
    if (!at) continue;
    first ??= id;
    hits++;
    if (at.stream !== streamId || at.version <= last) inOrder = false;
    last = at.version;
  }
  if (first === undefined) return { kind: 'new' };
  if (hits === ids.length && inOrder) return { kind: 'stored', version: last };
  return { kind: 'conflict', eventId: first };
}

// Read once: `performance.timeOrigin` is a getter into the runtime, measurable on the embedded append path.
const TIME_ORIGIN = performance.timeOrigin;

/** Same instant as ISO-8601 and as microseconds since the epoch (EventRecord.created / createdEpoch). */
export function appendInstant(): { created: string; createdEpoch: number } {
  const ms = Date.now();
  // performance.now() supplies sub-millisecond digits so createdEpoch is µs as the reference's.
  const micros = Math.floor((TIME_ORIGIN + performance.now()) * 1000) % 1000;
  // Formatting a date costs more than a small append: appends within one millisecond share the string.
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return { created: lastIso, createdEpoch: ms * 1000 + micros };
}

let lastIsoMs = -1;
let lastIso = '';

/**
 * The records an append writes: numbers after `current`, positions after `head` (or the given ones, in batch
 * order), one instant (the given one when the storage had to send it before the records existed).
 */
export function buildRecords(
  streamId: string,
  events: PreparedEvent[],
  current: number,
  head: number,
  positions?: readonly number[],
  instant: { created: string; createdEpoch: number } = appendInstant(),
): EventRecord[] {
  const { created, createdEpoch } = instant;
  return events.map((e, i) => ({
    eventStreamId: streamId,
    eventNumber: current + 1 + i,
    eventId: e.eventId,
    eventType: e.eventType,
    dataContentType: e.dataContentType,
    metadataContentType: e.metadataContentType,
    data: e.data,
    metadata: e.metadata,
    created,
    createdEpoch,
    position: positions ? positions[i]! : head + 1 + i,
  }));
}

/** The memory adapter's order, so listings agree whatever the database collation. */
export const compareSnapshots = (a: SnapshotRecord, b: SnapshotRecord): number =>
  a.sourceUuid.localeCompare(b.sourceUuid) || a.streamUuid.localeCompare(b.streamUuid) || a.version - b.version;
