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
export interface PreparedEvent {
  eventId: string;
  eventType: string;
  dataContentType: number;
  metadataContentType: number;
  data: unknown;
  metadata: unknown;
}

export type AppendOutcome =
  /** Written (or, when `duplicate`, found already written at the end of the stream and nothing written). */
  | { ok: true; version: number; records: EventRecord[]; duplicate: boolean }
  /** The expected-version check failed; nothing written. */
  | { ok: false; current: number };

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
   * One atomic step: (1) if the ids of `events` equal the ids of the stream's last `events.length` events, return
   * `{ok, duplicate: true, version: current}` writing nothing; (2) check `expected` against the current version
   * (expectedVersionMatches); (3) write all events with eventNumber current+1+i, the store's next global positions
   * and one `created` instant. Concurrent appends to one stream are serialised, including across processes when
   * `shared`. `events` is never empty.
   */
  append(store: string, streamId: string, events: PreparedEvent[], expected: ExpectedVersion): Promise<AppendOutcome>;

  /** Events of a stream with `from <= eventNumber <= to`, ascending. Missing stream -> []. */
  readStream(store: string, streamId: string, from: number, to: number): Promise<EventRecord[]>;
  /** Events of the store with `position >= fromPosition`, ascending, at most `limit`. */
  readAll(store: string, fromPosition: number, limit: number): Promise<EventRecord[]>;
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

/** Whether `batchIds` already are the last ids of a stream whose tail is `tailIds` (same length, ascending). */
export function isDuplicateBatch(tailIds: readonly string[], batchIds: readonly string[]): boolean {
  if (tailIds.length !== batchIds.length || batchIds.length === 0) return false;
  for (let i = 0; i < batchIds.length; i++) if (tailIds[i] !== batchIds[i]) return false;
  return true;
}

/** Same instant as ISO-8601 and as microseconds since the epoch (EventRecord.created / createdEpoch). */
export function appendInstant(): { created: string; createdEpoch: number } {
  const ms = Date.now();
  // performance.now() supplies sub-millisecond digits so createdEpoch is µs as the reference's.
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000) % 1000;
  // Formatting a date costs more than a small append: appends within one millisecond share the string.
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return { created: lastIso, createdEpoch: ms * 1000 + micros };
}

let lastIsoMs = -1;
let lastIso = '';

/** The records an append writes: numbers after `current`, positions after `head`, one instant. */
export function buildRecords(streamId: string, events: PreparedEvent[], current: number, head: number): EventRecord[] {
  const { created, createdEpoch } = appendInstant();
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
    position: head + 1 + i,
  }));
}

/** The memory adapter's order, so listings agree whatever the database collation. */
export const compareSnapshots = (a: SnapshotRecord, b: SnapshotRecord): number =>
  a.sourceUuid.localeCompare(b.sourceUuid) || a.streamUuid.localeCompare(b.streamUuid) || a.version - b.version;
