import type { NodeLink } from '../link.js';
import { TypedEmitter } from '../util/typedEmitter.js';
import type { NodeAnnouncement } from '../wire/ops.js';
import type { StoreLocation, WorkerDescriptor } from '../types.js';

interface Entry {
  link: NodeLink;
  announcement: NodeAnnouncement;
}

export interface WorkerPick {
  worker: WorkerDescriptor;
  link: NodeLink;
}

/**
 * Cluster-wide registry of gateway workers, `{store, node, worker} -> link` (the reference's Swarm names).
 * Fed by handshakes and node updates; a node's workers are forgotten when its link closes.
 */
export class WorkerRegistry {
  private readonly nodes = new Map<string, Entry>();
  private readonly events = new TypedEmitter<{ type: 'change' }>('WorkerRegistry');
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
   * A uniformly random worker of a node that hosts `store`, skipping links in `exclude` (links, not node names:
   * a node restarted under the same name is a new link and is eligible again at once).
   */
  pick(store: string, exclude: ReadonlySet<NodeLink> = new Set()): WorkerPick | undefined {
    const candidates: WorkerPick[] = [];
    for (const e of this.nodes.values()) {
      if (exclude.has(e.link) || e.link.closed) continue;
      for (const w of e.announcement.workers) if (w.store === store) candidates.push({ worker: w, link: e.link });
    }
    if (candidates.length === 0) return undefined;
    const p = candidates[Math.floor(this.rng() * candidates.length)] ?? candidates[0]!;
    this.routed.set(p.worker.id, (this.routed.get(p.worker.id) ?? 0) + 1);
    return p;
  }

  onChange(cb: () => void): () => void {
    return this.events.subscribe(() => cb());
  }

  private changed(): void {
    this.events.emit({ type: 'change' });
  }
}
