/**
 * The request/response protocol between a gateway and a store node's workers, over the TCP transport or the
 * in-process link: one map from operation name to its arguments and its result. `GaterApi` (through the router
 * and the subscription client) sends with these types and the node's handler table is checked against them, so
 * a renamed field or a changed result fails to compile on both ends.
 *
 * Operation and field names are a wire contract between versions: append-only, never rename or reuse one.
 */
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
  SubscriptionInfo,
  SubscriptionOptions,
  SubscriptionType,
  WorkerDescriptor,
} from '../types.js';

/** Where a delivered event sits, as an ack or nack names it. */
export interface EventRef {
  position: number;
  eventNumber: number;
}

/** A snapshot's key. */
export interface SnapshotKey {
  sourceUuid: string;
  streamUuid: string;
  version: number;
}

type NoArgs = Record<never, never>;

export interface OpMap {
  /** With `detailed` the node also says whether the batch was already stored; older gateways get the number. */
  append: {
    args: { streamId: string; events: readonly NewEvent[]; expectedVersion: ExpectedVersion; detailed?: boolean };
    result: number | AppendResult;
  };
  read: {
    args: { streamId: string; startVersion: number; count: number; direction: Direction };
    result: EventRecord[];
  };
  getVersion: { args: { streamId: string }; result: number };
  getStreams: { args: NoArgs; result: string[] };
  /** Global position of the store's last event (-1 when empty). */
  headPosition: { args: NoArgs; result: number };
  /** `subId` is the gateway's id for the running instance; pushes carry it. */
  subscribe: {
    args: {
      subId: string;
      type: SubscriptionType;
      selector: Selector;
      name: string;
      startFrom: number;
      options?: SubscriptionOptions;
    };
    result: { subId: string };
  };
  /** Whether a running instance was stopped. */
  unsubscribe: { args: { subId: string }; result: boolean };
  removeSubscription: { args: { type: SubscriptionType; selector: Selector; name: string }; result: void };
  getSubscriptions: { args: NoArgs; result: SubscriptionInfo[] };
  ack: { args: { name: string; subId?: string; event: EventRef }; result: void };
  nack: { args: { name: string; subId?: string; action: NackAction; event: EventRef }; result: void };
  recordSnapshot: { args: SnapshotKey & { record: unknown }; result: void };
  readSnapshot: { args: SnapshotKey; result: SnapshotRecord };
  /** Whether a snapshot was removed (false: there was none). */
  deleteSnapshot: { args: SnapshotKey; result: boolean };
  listSnapshots: { args: { sourceUuid: string; streamUuid: string }; result: SnapshotRecord[] };
  /** Events of every stream in global order from `fromPosition` (one page). */
  readAll: { args: { fromPosition: number; count: number }; result: EventRecord[] };
  /**
   * Events whose event id, correlation id or causation id is one of `keys`, after `afterPosition`, ascending, at
   * most `count` (one page of a `follow`).
   */
  correlated: { args: { keys: string[]; afterPosition: number; count: number }; result: EventRecord[] };
  listParked: { args: { name: string }; result: ParkedEvent[] };
  /** `running`: whether a subscriber of `name` is attached on this node to take the replay. */
  replayParked: { args: { name: string; positions?: number[] }; result: { replayed: number; running: boolean } };
  skipParked: { args: { name: string; positions?: number[] }; result: { skipped: number } };
  resetSubscription: { args: { name: string; to: number }; result: { reset: number } };
  deleteSubscription: { args: { name: string }; result: { deleted: number } };
  /** Answered by the node itself, not a worker. */
  listStores: { args: NoArgs; result: StoreLocation[] };
  /** The one liveness probe; answered by the node itself with its name. */
  ping: { args: NoArgs; result: { node: string } };
}

export type Op = keyof OpMap;
export type OpArgs<K extends Op> = OpMap[K]['args'];
export type OpResult<K extends Op> = OpMap[K]['result'];

/** Every request names its store and the worker the gateway picked for it (`''`: any worker of the store). */
export interface Routing {
  store: string;
  worker: string;
}

/**
 * A request as a translating link (the BEAM bridge) reads it: routing plus fields it converts to another
 * protocol's terms itself.
 */
export type LooseRequest = Routing & object;

/** What a gateway sends for `op`. */
export type OpRequest<K extends Op> = OpArgs<K> & Routing;

/**
 * What a node receives for `op`: the field names of the request, their values not yet checked. A handler must
 * validate each before use (a peer may send anything), but cannot read a field the protocol does not have.
 */
export type Untrusted<T> = { readonly [P in keyof T]?: unknown };

/** Operations the node answers itself; every other one goes to a worker of the named store. */
export const NODE_OPS = ['listStores', 'ping'] as const satisfies readonly Op[];
export type NodeOp = (typeof NODE_OPS)[number];
export type WorkerOp = Exclude<Op, NodeOp>;

/** Every operation name, checked against OpMap: adding an op to one and not the other fails to compile. */
const OP_TABLE: { [K in Op]: true } = {
  append: true,
  read: true,
  getVersion: true,
  getStreams: true,
  headPosition: true,
  subscribe: true,
  unsubscribe: true,
  removeSubscription: true,
  getSubscriptions: true,
  ack: true,
  nack: true,
  recordSnapshot: true,
  readSnapshot: true,
  deleteSnapshot: true,
  listSnapshots: true,
  listStores: true,
  ping: true,
  correlated: true,
  listParked: true,
  replayParked: true,
  skipParked: true,
  resetSubscription: true,
  deleteSubscription: true,
  readAll: true,
};
export const OPS = Object.keys(OP_TABLE) as Op[];

export function isOp(x: unknown): x is Op {
  return typeof x === 'string' && Object.hasOwn(OP_TABLE, x);
}

/**
 * Which storage holds a store on a node (DESIGN §8): `kind` is memory | sqlite | postgres; `id` is the same for
 * every node sharing that storage (kept in the SQLite file or PostgreSQL schema; unique per process for memory).
 */
export interface StorageIdentity {
  kind: string;
  id: string;
}

/** What a node tells a gateway on connect and on change: the stores it hosts, their workers and storages. */
export interface NodeAnnouncement {
  node: string;
  stores: string[];
  workers: WorkerDescriptor[];
  /** Storage identity per hosted store; absent from nodes that predate it (each is then a group of its own). */
  storages?: Record<string, StorageIdentity>;
}

const MAX_STORAGE_FIELD = 200;

/** The well-formed `{store: {kind, id}}` entries of an untrusted value (others are dropped). */
export function parseStorages(x: unknown): Record<string, StorageIdentity> | undefined {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return undefined;
  const out: Record<string, StorageIdentity> = {};
  for (const [store, v] of Object.entries(x as Record<string, unknown>)) {
    const { kind, id } = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
    const ok = (s: unknown): s is string => typeof s === 'string' && s.length > 0 && s.length <= MAX_STORAGE_FIELD;
    if (ok(kind) && ok(id)) out[store] = { kind, id };
  }
  return out;
}
