import { randomBytes } from 'node:crypto';
import { causationIdOf, correlationIdOf } from '../../core/correlation.js';
import type { EventRecord, ExpectedVersion, ParkedEvent, SnapshotRecord } from '../../core/types.js';
import {
  buildRecords,
  compareSnapshots,
  expectedVersionMatches,
  classifyStoredIds,
  type AppendOutcome,
  type PreparedEvent,
  type StorageAdapter,
  type StoredSubscription,
} from './storageAdapter.js';
import { IdIndex } from './idIndex.js';

interface MemoryStore {
  all: EventRecord[];
  streams: Map<string, EventRecord[]>;
  subscriptions: Map<string, StoredSubscription>;
  parked: Map<string, ParkedEvent[]>;
  snapshots: Map<string, SnapshotRecord>;
  /** Event id -> its position: ids are unique per store. */
  ids: IdIndex;
  /**
   * Correlation / causation id -> records, built on the first `findCorrelated` and brought up to date by each
   * later one (`upTo` = positions indexed), so appends pay nothing for an index nobody uses.
   */
  related: { byCorrelation: Map<string, EventRecord[]>; byCausation: Map<string, EventRecord[]>; upTo: number };
}

const snapshotKey = (src: string, stream: string, version: number) => JSON.stringify([src, stream, version]);

/**
 * The embedded default: everything in process memory, gone on exit. Appends are synchronous inside one call,
 * so the check and the write are trivially one step.
 */
export class MemoryStorage implements StorageAdapter {
  readonly kind = 'memory';
  readonly target = 'memory';
  readonly shared = false;
  private readonly stores = new Map<string, MemoryStore>();
  // Memory is private to this adapter: no other process (or adapter) can ever hold the same data.
  private readonly id = `mem-${randomBytes(8).toString('hex')}`;

  async storageId(): Promise<string> {
    return this.id;
  }

  private store(store: string): MemoryStore {
    let s = this.stores.get(store);
    if (!s) {
      const all: EventRecord[] = [];
      s = {
        all,
        streams: new Map(),
        subscriptions: new Map(),
        parked: new Map(),
        snapshots: new Map(),
        ids: new IdIndex((position) => all[position]!.eventId),
        related: { byCorrelation: new Map(), byCausation: new Map(), upTo: 0 },
      };
      this.stores.set(store, s);
    }
    return s;
  }

  async listStores(): Promise<string[]> {
    return [...this.stores.keys()];
  }

  async ensureStore(store: string): Promise<void> {
    this.store(store);
  }

  async append(
    store: string,
    streamId: string,
    events: PreparedEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendOutcome> {
    const s = this.store(store);
    const stream = s.streams.get(streamId) ?? [];
    const current = stream.length - 1;
    const known = classifyStoredIds(
      streamId,
      events.map((e) => e.eventId),
      (id) => {
        const at = s.ids.find(id);
        return at < 0 ? undefined : { stream: s.all[at]!.eventStreamId, version: s.all[at]!.eventNumber };
      },
    );
    if (known.kind === 'stored') return { ok: true, version: known.version, records: [], duplicate: true };
    if (known.kind === 'conflict') return { ok: false, current, duplicateEventId: known.eventId };
    if (!expectedVersionMatches(current, expected)) return { ok: false, current };
    const records = buildRecords(streamId, events, current, s.all.length - 1);
    if (stream.length === 0) s.streams.set(streamId, stream);
    for (const r of records) {
      stream.push(r);
      s.ids.add(r.eventId, s.all.length);
      s.all.push(r);
    }
    return { ok: true, version: current + events.length, records, duplicate: false };
  }

  async readStream(store: string, streamId: string, from: number, to: number): Promise<EventRecord[]> {
    const stream = this.stores.get(store)?.streams.get(streamId);
    if (!stream || to < from) return [];
    return stream.slice(Math.max(0, from), Math.max(0, to + 1));
  }

  async readAll(store: string, fromPosition: number, limit: number): Promise<EventRecord[]> {
    const all = this.stores.get(store)?.all;
    if (!all) return [];
    return all.slice(Math.max(0, fromPosition), Math.max(0, fromPosition) + limit);
  }

  async findCorrelated(store: string, keys: string[], afterPosition: number, limit: number): Promise<EventRecord[]> {
    const s = this.stores.get(store);
    if (!s) return [];
    const rel = s.related;
    const add = (m: Map<string, EventRecord[]>, k: string | undefined, r: EventRecord) => {
      if (k === undefined) return;
      const list = m.get(k);
      if (list) list.push(r);
      else m.set(k, [r]);
    };
    for (; rel.upTo < s.all.length; rel.upTo++) {
      const r = s.all[rel.upTo]!;
      add(rel.byCorrelation, correlationIdOf(r.metadata), r);
      add(rel.byCausation, causationIdOf(r.metadata), r);
    }
    const found = new Map<number, EventRecord>();
    for (const k of keys) {
      const own = s.ids.find(k);
      if (own >= 0) found.set(own, s.all[own]!);
      for (const r of rel.byCorrelation.get(k) ?? []) found.set(r.position, r);
      for (const r of rel.byCausation.get(k) ?? []) found.set(r.position, r);
    }
    return [...found.values()]
      .filter((r) => r.position > afterPosition)
      .sort((a, b) => a.position - b.position)
      .slice(0, limit);
  }

  async getVersion(store: string, streamId: string): Promise<number> {
    return (this.stores.get(store)?.streams.get(streamId)?.length ?? 0) - 1;
  }

  async getStreams(store: string): Promise<string[]> {
    return [...(this.stores.get(store)?.streams.keys() ?? [])];
  }

  async headPosition(store: string): Promise<number> {
    return (this.stores.get(store)?.all.length ?? 0) - 1;
  }

  async saveSubscription(store: string, sub: StoredSubscription): Promise<void> {
    this.store(store).subscriptions.set(sub.key, { ...sub });
  }

  async deleteSubscription(store: string, key: string): Promise<void> {
    const s = this.store(store);
    s.subscriptions.delete(key);
    s.parked.delete(key);
  }

  async listSubscriptions(store: string): Promise<StoredSubscription[]> {
    return [...this.store(store).subscriptions.values()].map((s) => ({ ...s }));
  }

  async saveCheckpoint(store: string, key: string, checkpoint: number): Promise<void> {
    const sub = this.store(store).subscriptions.get(key);
    if (sub && checkpoint > sub.checkpoint) sub.checkpoint = checkpoint;
  }

  async parkEvent(store: string, key: string, parked: ParkedEvent): Promise<void> {
    const s = this.store(store);
    const list = s.parked.get(key) ?? [];
    if (!list.some((p) => p.position === parked.position)) list.push({ ...parked });
    s.parked.set(key, list);
  }

  async listParked(store: string, key: string): Promise<ParkedEvent[]> {
    return (this.store(store).parked.get(key) ?? []).map((p) => ({ ...p }));
  }

  async unparkEvents(store: string, key: string, positions?: number[]): Promise<number[]> {
    const s = this.store(store);
    const list = s.parked.get(key) ?? [];
    const wanted = positions === undefined ? undefined : new Set(positions);
    const removed = list.filter((p) => wanted === undefined || wanted.has(p.position)).map((p) => p.position);
    s.parked.set(
      key,
      list.filter((p) => !removed.includes(p.position)),
    );
    return removed;
  }

  async resetCheckpoint(store: string, key: string, checkpoint: number): Promise<void> {
    const sub = this.store(store).subscriptions.get(key);
    if (sub) sub.checkpoint = checkpoint;
  }

  async recordSnapshot(store: string, snapshot: SnapshotRecord): Promise<void> {
    this.store(store).snapshots.set(snapshotKey(snapshot.sourceUuid, snapshot.streamUuid, snapshot.version), snapshot);
  }

  async readSnapshot(store: string, src: string, stream: string, version: number): Promise<SnapshotRecord | undefined> {
    return this.stores.get(store)?.snapshots.get(snapshotKey(src, stream, version));
  }

  async deleteSnapshot(store: string, src: string, stream: string, version: number): Promise<boolean> {
    return this.stores.get(store)?.snapshots.delete(snapshotKey(src, stream, version)) ?? false;
  }

  async listSnapshots(store: string, src: string, stream: string): Promise<SnapshotRecord[]> {
    const all = [...(this.stores.get(store)?.snapshots.values() ?? [])];
    return all
      .filter((s) => (src === 'any' || s.sourceUuid === src) && (stream === 'any' || s.streamUuid === stream))
      .sort(compareSnapshots);
  }

  watch(): () => void {
    return () => {};
  }

  async close(): Promise<void> {}
}
