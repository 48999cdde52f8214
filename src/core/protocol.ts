/**
 * Operations a gateway sends to a store node's worker, over the TCP transport or the in-process link.
 * Wire names are append-only: never rename or reuse one.
 */
export const OPS = [
  'append',
  'read',
  'getVersion',
  'getStreams',
  'subscribe',
  'unsubscribe',
  'removeSubscription',
  'getSubscriptions',
  'ack',
  'nack',
  'recordSnapshot',
  'readSnapshot',
  'deleteSnapshot',
  'listSnapshots',
  'listStores',
  'ping',
  'headPosition',
  'listParked',
  'replayParked',
  'skipParked',
  'resetSubscription',
  'deleteSubscription',
  'readAll',
] as const;
export type Op = (typeof OPS)[number];

/** Every request names its store and the worker the gateway picked for it. */
export interface RequestArgs {
  store: string;
  worker: string;
  [k: string]: unknown;
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
  workers: { store: string; node: string; id: string }[];
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
