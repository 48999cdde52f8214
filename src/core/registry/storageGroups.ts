import type { StorageIdentity } from '../wire/ops.js';

/** Nodes whose storage holds the same copy of a store (same storage id): they agree on every read. */
export interface StorageGroup {
  kind: string;
  id: string;
  /** Live linked nodes of the group that host the store, sorted. */
  nodes: string[];
  /** The group this gateway routes the store to. */
  active: boolean;
}

export type StorageGroupEvent =
  /** The store is hosted by several storages: reads would differ depending on the node (warned once per store). */
  | { type: 'storage_split'; store: string; groups: StorageGroup[] }
  /** The active group lost its last live node and the store moved to another storage. */
  | { type: 'storage_switch'; store: string; from: StorageGroup; to: StorageGroup };

/** A node that announces no storage identity (an older node) is a group of its own: nothing proves it shares data. */
export function identityOf(storages: Record<string, StorageIdentity> | undefined, store: string, node: string) {
  return storages?.[store] ?? { kind: 'unknown', id: `node:${node}` };
}

export const groupKey = (g: StorageIdentity): string => `${g.kind}:${g.id}`;

// Shared durable storage first when group sizes tie: it is what a cluster is meant to run on.
const KIND_RANK: Record<string, number> = { postgres: 0, sqlite: 1, memory: 2 };

/**
 * The deterministic choice among groups, so every gateway that sees the same groups routes to the same one: the
 * most live nodes, then the kind (postgres, sqlite, memory, unknown), then the smallest id.
 */
export function preferredGroup<G extends StorageIdentity & { nodes: readonly string[] }>(
  groups: readonly G[],
): G | undefined {
  return [...groups].sort(
    (a, b) =>
      b.nodes.length - a.nodes.length ||
      (KIND_RANK[a.kind] ?? 9) - (KIND_RANK[b.kind] ?? 9) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )[0];
}

const describeGroup = (g: StorageGroup): string =>
  `${g.kind}:${g.id}${g.nodes.length ? ` [${g.nodes.join(', ')}]` : ''}`;

/** The log line of a group event (the gateway's `🚪 [GaterAPI]` theme adds the prefix). */
export function describeGroupEvent(e: StorageGroupEvent): string {
  if (e.type === 'storage_split')
    return `⚠️  store ${e.store} is split over ${e.groups.length} storages: reads would differ (${e.groups.map(describeGroup).join('; ')}). Routing to one of them only; give the nodes one shared storage (sqlite:<file> on one machine, postgres://… across machines).`;
  return `storage switch for store ${e.store}: ${describeGroup(e.from)} has no live node left, now routing to ${describeGroup(e.to)}; events written to the old storage are not visible there.`;
}
