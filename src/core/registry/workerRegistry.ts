import type { NodeLink } from '../link.js';
import { TypedEmitter } from '../util/typedEmitter.js';
import type { NodeAnnouncement } from '../wire/ops.js';
import type { StoreLocation, WorkerDescriptor } from '../types.js';
import { groupKey, identityOf, preferredGroup, type StorageGroup, type StorageGroupEvent } from './storageGroups.js';

interface Entry {
  link: NodeLink;
  announcement: NodeAnnouncement;
}

export interface WorkerPick {
  worker: WorkerDescriptor;
  link: NodeLink;
}

interface LiveGroup {
  kind: string;
  id: string;
  nodes: string[];
  entries: Entry[];
}

/**
 * Cluster-wide registry of gateway workers, `{store, node, worker} -> link` (the reference's Swarm names).
 * Fed by handshakes and node updates; a node's workers are forgotten when its link closes.
 *
 * Routing is per store AND per storage group (DESIGN §8): nodes announcing the same storage id for a store hold
 * the same data; a store is routed to one group only — chosen deterministically, kept while it has a live node —
 * so reads agree and expected-version checks hold even when nodes with separate storages host the same store.
 */
const NO_LINKS: ReadonlySet<NodeLink> = new Set();

export class WorkerRegistry {
  private readonly nodes = new Map<string, Entry>();
  private readonly events = new TypedEmitter<{ type: 'change' }>('WorkerRegistry');
  private readonly groupEvents = new TypedEmitter<StorageGroupEvent>('WorkerRegistry');
  /** store -> the group it is routed to; kept after its last node goes, so a switch can say where from. */
  private readonly active = new Map<string, StorageGroup>();
  private readonly warnedSplit = new Set<string>();
  /** While set, no group is chosen yet for a store that has none (a gateway still meeting its nodes). */
  private holding = false;
  /** store -> its routable workers, until the next change (see candidates). */
  private readonly pickCache = new Map<string, readonly WorkerPick[]>();
  /** Calls routed per worker id, for status output. */
  readonly routed = new Map<string, number>();

  /** @param rng uniform [0,1) source; injected so tests can pin the pick. */
  constructor(private readonly rng: () => number = Math.random) {}

  add(link: NodeLink): void {
    const existing = this.nodes.get(link.node);
    if (existing && existing.link !== link) existing.link.close();
    this.nodes.set(link.node, { link, announcement: link.announcement() });
    link.onUpdate((a) => {
      const e = this.nodes.get(link.node);
      if (e && e.link === link) {
        e.announcement = a;
        this.changed();
      }
    });
    link.onClose(() => this.remove(link.node, link));
    this.changed();
  }

  /** Forgets a node (only if `link` is still the current one, when given). */
  remove(node: string, link?: NodeLink): void {
    const e = this.nodes.get(node);
    if (!e || (link && e.link !== link)) return;
    this.nodes.delete(node);
    this.changed();
  }

  has(node: string): boolean {
    return this.nodes.has(node);
  }

  link(node: string): NodeLink | undefined {
    return this.nodes.get(node)?.link;
  }

  links(): NodeLink[] {
    return [...this.nodes.values()].map((e) => e.link);
  }

  workers(): WorkerDescriptor[] {
    return [...this.nodes.values()].flatMap((e) => e.announcement.workers);
  }

  workersForStore(store: string): WorkerDescriptor[] {
    return this.workers().filter((w) => w.store === store);
  }

  stores(): StoreLocation[] {
    return [...this.nodes.values()].flatMap((e) =>
      e.announcement.stores.map((store) => ({ store, node: e.announcement.node })),
    );
  }

  /**
   * Makes the first choice of group wait until `settled` resolves (a gateway still connecting to its seeds), so
   * the choice sees every group and gateways started alike choose alike; calls wait for it like for a worker.
   */
  holdChoice(settled: Promise<unknown>): void {
    this.holding = true;
    this.pickCache.clear();
    const release = () => {
      this.holding = false;
      this.changed();
    };
    settled.then(release, release);
  }

  /** Every storage group hosting `store` among linked nodes, the active one first (DESIGN §8). */
  groups(store: string): StorageGroup[] {
    const activeKey = this.activeKey(store);
    const out = [...this.liveGroups(store).values()].map((g): StorageGroup => ({
      kind: g.kind,
      id: g.id,
      nodes: g.nodes,
      active: groupKey(g) === activeKey,
    }));
    return out.sort((a, b) => Number(b.active) - Number(a.active));
  }

  /** Links of the group `store` is routed to (empty while none is live). */
  activeLinks(store: string): NodeLink[] {
    const key = this.activeKey(store);
    return key === undefined
      ? []
      : (this.liveGroups(store)
          .get(key)
          ?.entries.map((e) => e.link) ?? []);
  }

  onGroupEvent(cb: (e: StorageGroupEvent) => void): () => void {
    return this.groupEvents.subscribe(cb);
  }

  /**
   * A uniformly random worker of a node of the store's active storage group, skipping links in `exclude` (links,
   * not node names: a node restarted under the same name is a new link and is eligible again at once).
   */
  pick(store: string, exclude: ReadonlySet<NodeLink> = NO_LINKS): WorkerPick | undefined {
    const all = this.candidates(store);
    if (all.length === 0) return undefined;
    let eligible = all;
    if (exclude.size > 0 || all.some((c) => c.link.closed)) {
      eligible = all.filter((c) => !c.link.closed && !exclude.has(c.link));
      if (eligible.length === 0) return undefined;
    }
    const p = eligible[Math.floor(this.rng() * eligible.length)] ?? eligible[0]!;
    this.routed.set(p.worker.id, (this.routed.get(p.worker.id) ?? 0) + 1);
    return p;
  }

  /**
   * Every worker of `store` in its active group, computed once per registry change: pick runs on every call, and
   * rebuilding the groups each time was a visible share of the embedded append path. A link that closed since is
   * filtered out by pick until its removal clears the cache.
   */
  private candidates(store: string): readonly WorkerPick[] {
    const cached = this.pickCache.get(store);
    if (cached) return cached;
    const key = this.activeKey(store);
    if (key === undefined) return [];
    const out: WorkerPick[] = [];
    for (const e of this.liveGroups(store).get(key)?.entries ?? [])
      for (const w of e.announcement.workers) if (w.store === store) out.push({ worker: w, link: e.link });
    this.pickCache.set(store, out);
    return out;
  }

  onChange(cb: () => void): () => void {
    return this.events.subscribe(() => cb());
  }

  private changed(): void {
    this.pickCache.clear();
    for (const store of new Set(this.stores().map((s) => s.store))) this.activeKey(store);
    this.events.emit({ type: 'change' });
  }

  /** Groups of live linked nodes hosting `store`, by group key. */
  private liveGroups(store: string): Map<string, LiveGroup> {
    const groups = new Map<string, LiveGroup>();
    for (const e of this.nodes.values()) {
      if (e.link.closed || !e.announcement.stores.includes(store)) continue;
      const identity = identityOf(e.announcement.storages, store, e.announcement.node);
      const key = groupKey(identity);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { kind: identity.kind, id: identity.id, nodes: [], entries: [] }));
      g.nodes.push(e.announcement.node);
      g.entries.push(e);
    }
    for (const g of groups.values()) g.nodes.sort();
    return groups;
  }

  /**
   * The key of the group `store` is routed to: the current one while it has a live node, else the preferred live
   * group (a first choice, or a switch, announced to group listeners); undefined while no group is live. Warns
   * (once per store) when the store is split over several storages.
   */
  private activeKey(store: string): string | undefined {
    const groups = this.liveGroups(store);
    // Not while holding: the warning should count every group the gateway is about to meet.
    if (groups.size > 1 && !this.holding && !this.warnedSplit.has(store)) {
      this.warnedSplit.add(store);
      const view = [...groups.values()].map((g) => ({ kind: g.kind, id: g.id, nodes: g.nodes, active: false }));
      this.emitGroup({ type: 'storage_split', store, groups: view });
    }
    const current = this.active.get(store);
    if (current && groups.has(groupKey(current))) return groupKey(current);
    if (groups.size === 0 || (this.holding && !current)) return undefined;
    const best = preferredGroup([...groups.values()])!;
    const chosen: StorageGroup = { kind: best.kind, id: best.id, nodes: best.nodes, active: true };
    this.active.set(store, chosen);
    if (current) this.emitGroup({ type: 'storage_switch', store, from: { ...current, active: false }, to: chosen });
    return groupKey(best);
  }

  private emitGroup(e: StorageGroupEvent): void {
    this.groupEvents.emit(e);
  }
}
