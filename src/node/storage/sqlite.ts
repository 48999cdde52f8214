import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { CAUSATION_KEYS, CORRELATION_KEYS } from '../../core/correlation.js';
import { GaterError } from '../../core/errors.js';
import type { EventRecord, ExpectedVersion, ParkedEvent, SnapshotRecord } from '../../core/types.js';
import {
  EVENT_FIELDS,
  oneLine,
  PARKED_FIELDS,
  rowTo,
  SNAPSHOT_FIELDS,
  SUB_FIELDS,
  toJson,
  type Row,
} from './sqlRows.js';
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

/** Options of SqliteStorage; the defaults suit several node processes sharing one file. */
export interface SqliteStorageOptions {
  /** How long a write waits for another process's transaction before failing with `timeout` (default 5000). */
  busyTimeoutMs?: number;
  /** How often `watch` polls the head position for appends by other processes (default 50). */
  pollMs?: number;
  /**
   * SQLite's `synchronous` pragma. `normal` (default) with WAL loses nothing when the process crashes, but a
   * power loss or OS crash may drop the last commits; `full` syncs every commit to disk (slower appends).
   */
  synchronous?: 'normal' | 'full';
}

// Schema version 1, recorded in PRAGMA user_version. JSON values are TEXT so they come back exactly as written.
// `stores.head` is the last global position: appends bump it in their transaction, `watch` polls it cheaply.
// `streams` holds each stream's version, so getVersion/getStreams never scan events.
const SCHEMA_V1 = `
  CREATE TABLE IF NOT EXISTS stores (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, head INTEGER NOT NULL DEFAULT -1);
  CREATE TABLE IF NOT EXISTS streams (store_id INTEGER NOT NULL, stream TEXT NOT NULL, version INTEGER NOT NULL,
    first_position INTEGER NOT NULL, PRIMARY KEY (store_id, stream));
  CREATE TABLE IF NOT EXISTS events (store_id INTEGER NOT NULL, position INTEGER NOT NULL, stream TEXT NOT NULL,
    version INTEGER NOT NULL, event_id TEXT NOT NULL, event_type TEXT NOT NULL, data_content_type INTEGER NOT NULL,
    metadata_content_type INTEGER NOT NULL, data TEXT, metadata TEXT, created TEXT NOT NULL,
    created_epoch INTEGER NOT NULL, PRIMARY KEY (store_id, position));
  CREATE UNIQUE INDEX IF NOT EXISTS events_stream_version ON events (store_id, stream, version);
  CREATE TABLE IF NOT EXISTS subscriptions (store_id INTEGER NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL,
    selector TEXT NOT NULL, name TEXT NOT NULL, start_from INTEGER NOT NULL, checkpoint INTEGER NOT NULL,
    ack_timeout_ms INTEGER NOT NULL, max_retries INTEGER NOT NULL, PRIMARY KEY (store_id, key));
  CREATE TABLE IF NOT EXISTS parked (store_id INTEGER NOT NULL, key TEXT NOT NULL, position INTEGER NOT NULL,
    subscription TEXT NOT NULL, event_id TEXT NOT NULL, event_stream_id TEXT NOT NULL, event_number INTEGER NOT NULL,
    reason TEXT NOT NULL, PRIMARY KEY (store_id, key, position));
  CREATE TABLE IF NOT EXISTS snapshots (store_id INTEGER NOT NULL, source_uuid TEXT NOT NULL, stream_uuid TEXT NOT NULL,
    version INTEGER NOT NULL, record TEXT, created TEXT NOT NULL, PRIMARY KEY (store_id, source_uuid, stream_uuid, version));`;

// Schema version 2: the storage's identity (DESIGN §8), made once by the process that creates or upgrades the file,
// so every process opening this file announces the same storage id.
const SCHEMA_V2 = `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`;
// Schema version 3: parked events keep their retry count and when they were parked (`subscriptions parked`).
const SCHEMA_V3 = `
  ALTER TABLE parked ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE parked ADD COLUMN parked_at TEXT NOT NULL DEFAULT '';`;
// Schema version 4: event ids are unique per store, so the append looks a batch's ids up by this index. It is not
// UNIQUE because a file written before version 4 may already hold duplicates; appends run one at a time under the
// write lock (BEGIN IMMEDIATE), so the check inside the transaction is exact anyway.
const SCHEMA_V4 = 'CREATE INDEX IF NOT EXISTS events_event_id ON events (store_id, event_id);';
// Schema version 5: `follow` finds an event's correlation and its causation chain by these expression indexes
// (the metadata's spellings of the two ids, see core/correlation.ts), never by scanning the store. The query must
// use the very same expressions for SQLite to pick the indexes.
const metaId = (keys: readonly string[]) =>
  `(CASE WHEN json_valid(metadata) THEN coalesce(${keys
    .map((k) => `CASE WHEN json_type(metadata, '$."${k}"') = 'text' THEN json_extract(metadata, '$."${k}"') END`)
    .join(', ')}) END)`;
const CORRELATION_EXPR = metaId(CORRELATION_KEYS);
const CAUSATION_EXPR = metaId(CAUSATION_KEYS);
const SCHEMA_V5 = `
  CREATE INDEX IF NOT EXISTS events_correlation ON events (store_id, ${CORRELATION_EXPR});
  CREATE INDEX IF NOT EXISTS events_causation ON events (store_id, ${CAUSATION_EXPR});`;
const SCHEMA_VERSION = 5;

/** Turns a failure to load the driver or open the file into the one-line GaterError the CLI prints. */
export function sqliteOpenError(file: string, e: unknown): GaterError {
  if (e instanceof GaterError) return e;
  const reason = oneLine(e);
  const code = (e as { code?: unknown } | null)?.code;
  const driver =
    /bindings file|NODE_MODULE_VERSION|compiled against a different|better_sqlite3\.node|Cannot find (module|package) 'better-sqlite3'/i;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_DLOPEN_FAILED' || driver.test(reason)) {
    return new GaterError(
      'connection_closed',
      'better-sqlite3 is not installed or not built for this Node: run npm rebuild better-sqlite3',
      { reason },
      { cause: e },
    );
  }
  return new GaterError(
    'connection_closed',
    `cannot open SQLite file ${file}: ${reason}. Check the path and permissions.`,
    { file, reason },
    { cause: e },
  );
}

/** Every statement the adapter runs, prepared once. */
function prepareStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const byKey = 'WHERE store_id = ? AND key = ?';
  const bySnapshot = 'WHERE store_id = ? AND source_uuid = ? AND stream_uuid = ? AND version = ?';
  return {
    insertStore: p('INSERT OR IGNORE INTO stores (name) VALUES (?)'),
    storeId: p('SELECT id FROM stores WHERE name = ?').pluck(),
    listStores: p('SELECT name FROM stores ORDER BY id').pluck(),
    head: p('SELECT head FROM stores WHERE id = ?').pluck(),
    setHead: p('UPDATE stores SET head = ? WHERE id = ?'),
    version: p('SELECT version FROM streams WHERE store_id = ? AND stream = ?').pluck(),
    upsertStream: p(`INSERT INTO streams (store_id, stream, version, first_position) VALUES (?, ?, ?, ?)
      ON CONFLICT (store_id, stream) DO UPDATE SET version = excluded.version`),
    streams: p('SELECT stream FROM streams WHERE store_id = ? ORDER BY first_position').pluck(),
    storedIds: p(`SELECT event_id AS id, stream, version FROM events
      WHERE store_id = ? AND event_id IN (SELECT value FROM json_each(?))`),
    insertEvent: p(`INSERT INTO events (store_id, stream, version, position, event_id, event_type, data_content_type,
      metadata_content_type, data, metadata, created, created_epoch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    readStream: p(
      `SELECT ${EVENT_FIELDS} FROM events WHERE store_id = ? AND stream = ? AND version BETWEEN ? AND ? ORDER BY version`,
    ),
    readAll: p(`SELECT ${EVENT_FIELDS} FROM events WHERE store_id = ? AND position >= ? ORDER BY position LIMIT ?`),
    // One indexed lookup per kind of link, united: SQLite would not combine three indexes under one OR.
    correlated: p(`SELECT * FROM (
        SELECT ${EVENT_FIELDS} FROM events WHERE store_id = @store AND event_id IN (SELECT value FROM json_each(@keys))
        UNION SELECT ${EVENT_FIELDS} FROM events WHERE store_id = @store AND ${CORRELATION_EXPR} IN (SELECT value FROM json_each(@keys))
        UNION SELECT ${EVENT_FIELDS} FROM events WHERE store_id = @store AND ${CAUSATION_EXPR} IN (SELECT value FROM json_each(@keys))
      ) WHERE position > @after ORDER BY position LIMIT @limit`),
    saveSub: p(`INSERT INTO subscriptions (store_id, key, type, selector, name, start_from, checkpoint, ack_timeout_ms,
      max_retries) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (store_id, key) DO UPDATE SET type = excluded.type,
      selector = excluded.selector, name = excluded.name, start_from = excluded.start_from,
      checkpoint = excluded.checkpoint, ack_timeout_ms = excluded.ack_timeout_ms, max_retries = excluded.max_retries`),
    deleteSub: p(`DELETE FROM subscriptions ${byKey}`),
    deleteParked: p(`DELETE FROM parked ${byKey}`),
    listSubs: p(`SELECT ${SUB_FIELDS} FROM subscriptions WHERE store_id = ? ORDER BY rowid`),
    checkpoint: p(`UPDATE subscriptions SET checkpoint = ? ${byKey} AND checkpoint < ?`),
    resetCheckpoint: p(`UPDATE subscriptions SET checkpoint = ? ${byKey}`),
    park: p(`INSERT OR IGNORE INTO parked (store_id, key, position, subscription, event_id, event_stream_id,
      event_number, reason, retries, parked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    unparkAll: p(`DELETE FROM parked ${byKey} RETURNING position`).pluck(),
    unparkOne: p(`DELETE FROM parked ${byKey} AND position = ? RETURNING position`).pluck(),
    listParked: p(`SELECT ${PARKED_FIELDS} FROM parked ${byKey} ORDER BY rowid`),
    saveSnapshot: p(`INSERT INTO snapshots (store_id, source_uuid, stream_uuid, version, record, created)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (store_id, source_uuid, stream_uuid, version)
      DO UPDATE SET record = excluded.record, created = excluded.created`),
    readSnapshot: p(`SELECT ${SNAPSHOT_FIELDS} FROM snapshots ${bySnapshot}`),
    deleteSnapshot: p(`DELETE FROM snapshots ${bySnapshot}`),
    listSnapshots: p(`SELECT ${SNAPSHOT_FIELDS} FROM snapshots
      WHERE store_id = @id AND (@src = 'any' OR source_uuid = @src) AND (@stream = 'any' OR stream_uuid = @stream)`),
  };
}

interface Watched {
  fns: Set<() => void>;
  /** Head position at the last poll. */
  seen: number;
  /** Events this instance appended since the last poll (they need no notification). */
  own: number;
}

/**
 * Durable storage in one SQLite file (better-sqlite3, WAL). Several node processes may share the file: every
 * append is one BEGIN IMMEDIATE transaction, which takes SQLite's write lock before reading the stream's version,
 * so the duplicate check, the expected-version check and the write are one step across processes; busy_timeout
 * makes the others wait for it instead of failing. Appends by other processes are found by polling the head.
 */
export class SqliteStorage implements StorageAdapter {
  readonly kind = 'sqlite';
  readonly target: string;
  readonly shared = true;
  readonly file: string;
  private readonly db: Database.Database;
  private readonly q: ReturnType<typeof prepareStatements>;
  private readonly appendTx: Database.Transaction<SqliteStorage['appendInTx']>;
  private readonly deleteSubTx: Database.Transaction<(id: number, key: string) => void>;
  private readonly ids = new Map<string, number>();
  private readonly watched = new Map<string, Watched>();
  private readonly pollMs: number;
  private readonly busyTimeoutMs: number;
  /** The `synchronous` setting in force (reported next to bench figures). */
  readonly synchronous: 'normal' | 'full';
  private timer: NodeJS.Timeout | undefined;
  private readonly id: string;

  /** Opens (creating when missing) the file and its schema. Throws the one-line GaterError of sqliteOpenError. */
  constructor(file: string, options: SqliteStorageOptions = {}) {
    this.file = file;
    this.target = options.synchronous === 'full' ? `sqlite:${file}?synchronous=full` : `sqlite:${file}`;
    this.pollMs = options.pollMs ?? 50;
    this.busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    let db: Database.Database | undefined;
    try {
      db = new Database(file);
      // busy_timeout first: switching to WAL itself needs a lock another process may hold.
      db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      const conn = db;
      // SQLite answers SQLITE_BUSY at once, without its busy handler, when processes race to switch a fresh file to
      // WAL: retry that step within the busy timeout.
      retryWhileBusy(() => conn.pragma('journal_mode = WAL'), this.busyTimeoutMs);
      // NORMAL is safe with WAL: a crash of the process loses nothing; a power loss may drop the last commits.
      // FULL (`sqlite:<file>?synchronous=full`) syncs every commit, for those who need power-loss durability.
      db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      this.synchronous = options.synchronous ?? 'normal';
      if ((db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION) {
        const d = db;
        // IMMEDIATE: processes opening a fresh file together create the schema one after the other (the version is
        // read again under the lock: another process may have just migrated).
        d.transaction(() => {
          const v = d.pragma('user_version', { simple: true }) as number;
          if (v < 1) d.exec(SCHEMA_V1);
          if (v < 2) {
            d.exec(SCHEMA_V2);
            d.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('storage_id', ?)`).run(
              `sqlite-${randomBytes(8).toString('hex')}`,
            );
          }
          if (v < 3) d.exec(SCHEMA_V3);
          if (v < 4) d.exec(SCHEMA_V4);
          if (v < 5) d.exec(SCHEMA_V5);
          if (v < SCHEMA_VERSION) d.pragma(`user_version = ${SCHEMA_VERSION}`);
        }).immediate();
      }
      this.id = String(db.prepare(`SELECT value FROM meta WHERE key = 'storage_id'`).pluck().get());
      this.q = prepareStatements(db);
    } catch (e) {
      db?.close();
      throw sqliteOpenError(file, e);
    }
    this.db = db;
    this.appendTx = db.transaction(this.appendInTx.bind(this));
    this.deleteSubTx = db.transaction((id: number, key: string) => {
      this.q.deleteSub.run(id, key);
      this.q.deleteParked.run(id, key);
    });
  }

  async storageId(): Promise<string> {
    return this.id;
  }

  /** Same as the constructor, as a promise (the shape createStorage uses for every adapter). */
  static async open(file: string, options?: SqliteStorageOptions): Promise<SqliteStorage> {
    return new SqliteStorage(file, options);
  }

  /** Runs one synchronous step, translating driver errors at the adapter edge. */
  private run<T>(step: () => T): T {
    try {
      return step();
    } catch (e) {
      if (e instanceof GaterError) throw e;
      this.ids.clear(); // a rolled-back transaction may have created a store whose id we cached
      const reason = oneLine(e);
      const code = String((e as { code?: unknown }).code ?? '');
      if (!this.db.open)
        throw new GaterError('connection_closed', `SQLite storage ${this.file} is closed`, {}, { cause: e });
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
        const msg = `SQLite file ${this.file} stayed locked by another process for ${this.busyTimeoutMs} ms (${reason}); retry, or look for a stuck process`;
        throw new GaterError('timeout', msg, {}, { cause: e });
      }
      throw new GaterError('internal', `SQLite error on ${this.file}: ${reason}`, { code }, { cause: e });
    }
  }

  /** The store's row id (cached: stores are never deleted, so ids never change); undefined when missing. */
  private storeId(store: string, create: boolean): number | undefined {
    const known = this.ids.get(store);
    if (known !== undefined) return known;
    if (create) this.q.insertStore.run(store);
    const id = this.q.storeId.get(store) as number | undefined;
    if (id !== undefined) this.ids.set(store, id);
    return id;
  }

  /** Runs `read` with the store's id, or returns `missing` when the store does not exist. */
  private read<T>(store: string, missing: T, read: (id: number) => T): T {
    return this.run(() => {
      const id = this.storeId(store, false);
      return id === undefined ? missing : read(id);
    });
  }

  async listStores(): Promise<string[]> {
    return this.run(() => this.q.listStores.all() as string[]);
  }

  async ensureStore(store: string): Promise<void> {
    this.run(() => this.storeId(store, true));
  }

  async append(
    store: string,
    streamId: string,
    events: PreparedEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendOutcome> {
    const outcome = this.run(() => this.appendTx.immediate(store, streamId, events, expected));
    const w = this.watched.get(store);
    if (w && outcome.ok && !outcome.duplicate) w.own += events.length;
    return outcome;
  }

  private appendInTx(
    store: string,
    streamId: string,
    events: PreparedEvent[],
    expected: ExpectedVersion,
  ): AppendOutcome {
    const id = this.storeId(store, true)!;
    const current = (this.q.version.get(id, streamId) as number | undefined) ?? -1;
    const n = events.length;
    const ids = events.map((e) => e.eventId);
    const found = this.q.storedIds.all(id, JSON.stringify(ids)) as { id: string; stream: string; version: number }[];
    if (found.length > 0) {
      const at = new Map(found.map((r) => [r.id, r]));
      const known = classifyStoredIds(streamId, ids, (eid) => at.get(eid));
      if (known.kind === 'stored') return { ok: true, version: known.version, records: [], duplicate: true };
      if (known.kind === 'conflict') return { ok: false, current, duplicateEventId: known.eventId };
    }
    if (!expectedVersionMatches(current, expected)) return { ok: false, current };
    const head = this.q.head.get(id) as number;
    const records = buildRecords(streamId, events, current, head);
    // One prepared insert per event inside the one transaction: SQLite has no round trips to save.
    for (const r of records) {
      this.q.insertEvent.run(
        id,
        streamId,
        r.eventNumber,
        r.position,
        r.eventId,
        r.eventType,
        r.dataContentType,
        r.metadataContentType,
        toJson(r.data),
        toJson(r.metadata),
        r.created,
        r.createdEpoch,
      );
    }
    this.q.setHead.run(head + n, id);
    this.q.upsertStream.run(id, streamId, current + n, head + 1);
    return { ok: true, version: current + n, records, duplicate: false };
  }

  async readStream(store: string, streamId: string, from: number, to: number): Promise<EventRecord[]> {
    if (to < from) return [];
    return this.read(store, [], (id) =>
      (this.q.readStream.all(id, streamId, Math.max(0, from), to) as Row[]).map(rowTo.record),
    );
  }

  async readAll(store: string, fromPosition: number, limit: number): Promise<EventRecord[]> {
    if (limit <= 0) return []; // SQLite reads a negative LIMIT as "no limit"
    return this.read(store, [], (id) =>
      (this.q.readAll.all(id, Math.max(0, fromPosition), Math.floor(limit)) as Row[]).map(rowTo.record),
    );
  }

  async findCorrelated(store: string, keys: string[], afterPosition: number, limit: number): Promise<EventRecord[]> {
    if (limit <= 0 || keys.length === 0) return [];
    return this.read(store, [], (id) =>
      (
        this.q.correlated.all({
          store: id,
          keys: JSON.stringify(keys),
          after: afterPosition,
          limit: Math.floor(limit),
        }) as Row[]
      ).map(rowTo.record),
    );
  }

  async getVersion(store: string, streamId: string): Promise<number> {
    return this.read(store, -1, (id) => (this.q.version.get(id, streamId) as number | undefined) ?? -1);
  }

  async getStreams(store: string): Promise<string[]> {
    return this.read(store, [], (id) => this.q.streams.all(id) as string[]);
  }

  async headPosition(store: string): Promise<number> {
    return this.run(() => this.headOf(store));
  }

  private headOf(store: string): number {
    const id = this.storeId(store, false);
    return id === undefined ? -1 : ((this.q.head.get(id) as number | undefined) ?? -1);
  }

  async saveSubscription(store: string, s: StoredSubscription): Promise<void> {
    this.run(() =>
      this.q.saveSub.run(
        this.storeId(store, true),
        s.key,
        s.type,
        JSON.stringify(s.selector),
        s.name,
        s.startFrom,
        s.checkpoint,
        s.ackTimeoutMs,
        s.maxRetries,
      ),
    );
  }

  async deleteSubscription(store: string, key: string): Promise<void> {
    this.read(store, undefined, (id) => void this.deleteSubTx.immediate(id, key));
  }

  async listSubscriptions(store: string): Promise<StoredSubscription[]> {
    return this.read(store, [], (id) => (this.q.listSubs.all(id) as Row[]).map(rowTo.subscription));
  }

  async saveCheckpoint(store: string, key: string, checkpoint: number): Promise<void> {
    this.read(store, undefined, (id) => void this.q.checkpoint.run(checkpoint, id, key, checkpoint));
  }

  async parkEvent(store: string, key: string, p: ParkedEvent): Promise<void> {
    this.run(() =>
      this.q.park.run(
        this.storeId(store, true),
        key,
        p.position,
        p.subscription,
        p.eventId,
        p.eventStreamId,
        p.eventNumber,
        p.reason,
        p.retries,
        p.parkedAt,
      ),
    );
  }

  async unparkEvents(store: string, key: string, positions?: number[]): Promise<number[]> {
    return this.read(store, [], (id) =>
      this.db.transaction(() =>
        positions === undefined
          ? (this.q.unparkAll.all(id, key) as number[])
          : positions.flatMap((p) => this.q.unparkOne.all(id, key, p) as number[]),
      )(),
    );
  }

  async resetCheckpoint(store: string, key: string, checkpoint: number): Promise<void> {
    this.read(store, undefined, (id) => void this.q.resetCheckpoint.run(checkpoint, id, key));
  }

  async listParked(store: string, key: string): Promise<ParkedEvent[]> {
    return this.read(store, [], (id) => this.q.listParked.all(id, key) as ParkedEvent[]);
  }

  async recordSnapshot(store: string, s: SnapshotRecord): Promise<void> {
    this.run(() =>
      this.q.saveSnapshot.run(
        this.storeId(store, true),
        s.sourceUuid,
        s.streamUuid,
        s.version,
        toJson(s.record),
        s.created,
      ),
    );
  }

  async readSnapshot(store: string, src: string, stream: string, version: number): Promise<SnapshotRecord | undefined> {
    return this.read(store, undefined, (id) => {
      const row = this.q.readSnapshot.get(id, src, stream, version) as Row | undefined;
      return row && rowTo.snapshot(row);
    });
  }

  async deleteSnapshot(store: string, src: string, stream: string, version: number): Promise<boolean> {
    return this.read(store, false, (id) => this.q.deleteSnapshot.run(id, src, stream, version).changes > 0);
  }

  async listSnapshots(store: string, src: string, stream: string): Promise<SnapshotRecord[]> {
    return this.read(store, [], (id) =>
      (this.q.listSnapshots.all({ id, src, stream }) as Row[]).map(rowTo.snapshot).sort(compareSnapshots),
    );
  }

  /**
   * Polls the store's head every `pollMs` while anyone watches. The head moving by more than this instance's own
   * appends since the last poll means another process wrote (a spurious call is harmless, a missed one is not).
   */
  watch(store: string, onAppend: () => void): () => void {
    let w = this.watched.get(store);
    if (!w) {
      let seen = -1;
      try {
        seen = this.headOf(store);
      } catch {
        // busy or closed: the first poll catches up
      }
      this.watched.set(store, (w = { fns: new Set(), seen, own: 0 }));
    }
    const fn = () => onAppend(); // a fresh wrapper, so the same callback may be registered twice
    w.fns.add(fn);
    if (!this.timer) {
      this.timer = setInterval(() => this.poll(), this.pollMs);
      this.timer.unref(); // watching must not keep a process alive
    }
    const mine = w;
    return () => {
      mine.fns.delete(fn);
      if (mine.fns.size === 0 && this.watched.get(store) === mine) this.watched.delete(store);
      if (this.watched.size === 0) this.stopPolling();
    };
  }

  private poll(): void {
    if (!this.db.open) return this.stopPolling();
    for (const [store, w] of this.watched) {
      let head: number;
      try {
        head = this.headOf(store);
      } catch {
        continue; // locked past busy_timeout: try again next tick
      }
      const foreign = head - w.seen - w.own;
      w.seen = head;
      w.own = 0;
      if (foreign <= 0) continue;
      for (const fn of [...w.fns]) {
        try {
          fn();
        } catch {
          // a watcher's failure is its own business
        }
      }
    }
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async close(): Promise<void> {
    this.stopPolling();
    this.watched.clear();
    if (this.db.open) this.db.close();
  }
}

/** Runs `fn`, retrying every 10 ms while SQLite reports SQLITE_BUSY, for at most `ms` (synchronous, like the driver). */
function retryWhileBusy<T>(fn: () => T, ms: number): T {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}
