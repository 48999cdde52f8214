import { randomBytes } from 'node:crypto';
import type { EventRecord, ExpectedVersion, ParkedEvent, SnapshotRecord } from '../../core/types.js';
import {
  buildRecords,
  compareSnapshots,
  expectedVersionMatches,
  isDuplicateBatch,
  type AppendOutcome,
  type PreparedEvent,
  type StorageAdapter,
  type StoredSubscription,
} from './storageAdapter.js';

interface MemoryStore {
  all: EventRecord[];
  streams: Map<string, EventRecord[]>;
  subscriptions: Map<string, StoredSubscription>;
  parked: Map<string, ParkedEvent[]>;
  snapshots: Map<string, SnapshotRecord>;
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
      s = { all: [], streams: new Map(), subscriptions: new Map(), parked: new Map(), snapshots: new Map() };
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
    if (events.length <= stream.length) {
      const tail = stream.slice(stream.length - events.length).map((e) => e.eventId);
      if (
        isDuplicateBatch(
          tail,
          events.map((e) => e.eventId),
        )
      ) {
        return { ok: true, version: current, records: [], duplicate: true };
      }
    }
    if (!expectedVersionMatches(current, expected)) return { ok: false, current };
    const records = buildRecords(streamId, events, current, s.all.length - 1);
    if (stream.length === 0) s.streams.set(streamId, stream);
    for (const r of records) {
      stream.push(r);
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
