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
] as const;
export type Op = (typeof OPS)[number];

/** Every request names its store and the worker the gateway picked for it. */
export interface RequestArgs {
  store: string;
  worker: string;
  [k: string]: unknown;
}

/** What a node tells a gateway on connect and on change: the stores it hosts and their workers. */
export interface NodeAnnouncement {
  node: string;
  stores: string[];
  workers: { store: string; node: string; id: string }[];
}
