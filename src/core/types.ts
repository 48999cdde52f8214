/** Records and options shared by the gateway core, the store node and the UI layers (DESIGN §3). */

/** `'any' | 'no_stream' | 'stream_exists' | n` with integer n >= -1 (`-1` is the same as `'no_stream'`). */
export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | number;

/** What a caller appends. A missing `eventId` gets a ULID. */
export interface NewEvent {
  eventType: string;
  data: unknown;
  metadata?: unknown;
  eventId?: string;
  dataContentType?: number;
  metadataContentType?: number;
}

/** A stored event, as reads and subscriptions return it. */
export interface EventRecord {
  eventStreamId: string;
  /** 0-based version of this event in its stream. */
  eventNumber: number;
  eventId: string;
  eventType: string;
  dataContentType: number;
  metadataContentType: number;
  data: unknown;
  metadata: unknown;
  /** ISO-8601 UTC time of the append. */
  created: string;
  /** Microseconds since the Unix epoch, same instant as `created`. */
  createdEpoch: number;
  /** 0-based global position within the store. */
  position: number;
}

export const SUBSCRIPTION_TYPES = ['by_stream', 'by_event_type', 'by_event_pattern', 'by_event_payload'] as const;
export type SubscriptionType = (typeof SUBSCRIPTION_TYPES)[number];

/** A stream selector (`$all`, `$<stream>`), an event type, or a subset-match pattern object. */
export type Selector = string | Record<string, unknown>;

export const NACK_ACTIONS = ['retry', 'park', 'skip'] as const;
export type NackAction = (typeof NACK_ACTIONS)[number];

export type Direction = 'forward' | 'backward';

/** Receives event batches of one subscription. */
export type Subscriber = (events: EventRecord[]) => void;

/** Options a persistent subscription may carry beyond the reference's positional arguments. */
export interface SubscriptionOptions {
  /** Redeliver an unacked event after this many ms (default 30000). */
  ackTimeoutMs?: number;
  /**
   * Redeliveries of an unacked event before it is parked (default 10): with N, an event is delivered at most N+1
   * times (the first delivery and N retries); 0 parks it at its first ack timeout.
   */
  maxRetries?: number;
  /**
   * A subscription name is unique per store: the same type and selector resume it, another one is refused with
   * `invalid_argument` — unless `replace` is true, which deletes the old subscription (its checkpoint and parked
   * events) and creates this one.
   */
  replace?: boolean;
}

/** What getSubscriptions reports for one subscription. */
export interface SubscriptionInfo {
  type: SubscriptionType;
  selector: Selector;
  name: string;
  startFrom: number;
  /** `"<store>:<sub_topic>"`, the pubsub topic deliveries go to when there is no subscriber callback. */
  topic: string;
  persistent: boolean;
  /** Whether a subscriber is attached right now. */
  active: boolean;
  /**
   * Next position (stream version for `$<stream>`, global position otherwise) not yet acknowledged:
   * everything below it is acked, skipped or parked.
   */
  checkpoint: number;
  inFlight: number;
  /** ms the oldest delivered-but-unacked event has waited (0 when none; absent from older nodes). */
  oldestUnackedMs?: number;
  parked: number;
  /** Matching-or-not events between the checkpoint and the head of the log. */
  lag: number;
  /**
   * True while the node holds back pushes because this subscriber is not taking them fast enough (its
   * connection's buffer passed the bound); delivery resumes from storage where it stopped once it drains.
   */
  lagging?: boolean;
}

/** A parked event of a persistent subscription. */
export interface ParkedEvent {
  subscription: string;
  position: number;
  eventId: string;
  eventStreamId: string;
  eventNumber: number;
  /** Why it was parked: `max_retries` (never acked) or `nack_park` (the subscriber parked it). */
  reason: string;
  /** Redeliveries before it was parked (deliveries - 1). */
  retries: number;
  /** ISO-8601 time it was parked. */
  parkedAt: string;
}

export interface SnapshotRecord {
  sourceUuid: string;
  streamUuid: string;
  version: number;
  /** The stored snapshot, as given (any JSON value). */
  record: unknown;
  created: string;
}

/** A gateway worker as the registry knows it. */
export interface WorkerDescriptor {
  store: string;
  node: string;
  id: string;
}

export interface StoreLocation {
  store: string;
  node: string;
}

/** What an append did: the stream version after it, and whether the batch was already stored (nothing written). */
export interface AppendResult {
  version: number;
  deduplicated: boolean;
}
