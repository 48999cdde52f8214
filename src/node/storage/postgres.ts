import pg from 'pg';
import { GaterError } from '../../core/errors.js';
import type { EventRecord, ExpectedVersion, ParkedEvent, SnapshotRecord } from '../../core/types.js';
import {
  buildRecords,
  compareSnapshots,
  describeStorage,
  EVENT_FIELDS,
  oneLine,
  PARKED_FIELDS,
  rowTo,
  SNAPSHOT_FIELDS,
  SUB_FIELDS,
  toJson,
  type Row,
} from './index.js';
import {
  errCode,
  INT8_AS_NUMBER,
  isConnectionError,
  lockKey,
  migrate,
  postgresReachError,
  SCHEMA_NAME,
  splitSchema,
} from './postgresSchema.js';
import {
  expectedVersionMatches,
  isDuplicateBatch,
  type AppendOutcome,
  type PreparedEvent,
  type StorageAdapter,
  type StoredSubscription,
} from './storageAdapter.js';

/** Options of PostgresStorage. */
export interface PostgresStorageOptions {
  /** Schema holding the tables (created on first use). Default: the URL's `?schema=` parameter, else `public`. */
  schema?: string;
  /** Pool size (default 10). */
  poolSize?: number;
  /** How long to wait for a connection before failing (default 5000 ms). */
  connectTimeoutMs?: number;
}

/**
 * Shared storage in PostgreSQL (pg): many nodes on many machines host the same stores. An append is one
 * transaction under a per-store advisory lock and a unique (store, stream, version) key; it NOTIFYs one channel
 * with the store name, and a dedicated LISTEN connection (reconnecting when dropped) tells `watch` callers about
 * appends made by other nodes.
 */
export class PostgresStorage implements StorageAdapter {
  readonly kind = 'postgres';
  readonly target: string;
  readonly shared = true;
  readonly schema: string;
  private readonly url: string;
  private readonly pool: pg.Pool;
  private readonly s: string;
  private readonly channel: string;
  private readonly lockNs: number;
  private readonly connectTimeoutMs: number;
  private readonly ids = new Map<string, number>();
  /** Backend pids of our pool's connections: notifications they sent are our own appends. */
  private readonly ownPids = new Set<number>();
  private readonly watchers = new Map<string, Set<() => void>>();
  private migrated: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private listenerUp = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private backoffMs = 100;
  private closed = false;
  private id = '';

  /** Creates the pool without connecting; the first call (or open()) creates the schema. */
  constructor(url: string, options: PostgresStorageOptions = {}) {
    const split = splitSchema(url);
    this.url = split.url;
    this.target = describeStorage(url);
    this.schema = options.schema ?? split.schema ?? 'public';
    if (!SCHEMA_NAME.test(this.schema)) {
      throw new GaterError(
        'invalid_argument',
        `invalid PostgreSQL schema "${this.schema}": use letters, digits and _ (at most 41)`,
      );
    }
    this.s = `"${this.schema}"`;
    this.channel = `ex_esdb_append_${this.schema}`;
    this.lockNs = lockKey(this.schema);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    const max = options.poolSize ?? 10;
    const config = {
      connectionString: this.url,
      connectionTimeoutMillis: this.connectTimeoutMs,
      types: INT8_AS_NUMBER,
    };
    this.pool = new pg.Pool({ ...config, max, application_name: 'ex-esdb-console' });
    this.pool.on('error', () => {}); // an idle connection died: the pool replaces it, the next query reports
    this.pool.on('connect', (c) => this.ownPids.add((c as unknown as { processID: number }).processID));
    this.pool.on('remove', (c) => this.ownPids.delete((c as unknown as { processID: number }).processID));
  }

  /** Connects and migrates the schema; throws the one-line `cannot reach PostgreSQL at ...` error. */
  static async open(url: string, options?: PostgresStorageOptions): Promise<PostgresStorage> {
    const storage = new PostgresStorage(url, options);
    try {
      await storage.ready();
    } catch (e) {
      await storage.close();
      throw e;
    }
    return storage;
  }

  async storageId(): Promise<string> {
    await this.ready();
    return this.id;
  }

  /** Resolves once the schema is migrated (once per instance; retried after a failure). */
  ready(): Promise<void> {
    if (this.closed)
      return Promise.reject(new GaterError('connection_closed', `PostgreSQL storage ${this.target} is closed`));
    this.migrated ??= (async () => {
      const client = await this.pool.connect();
      try {
        await migrate(client, this.schema);
        const r = await client.query<{ value: string }>(`SELECT value FROM ${this.s}.meta WHERE key = 'storage_id'`);
        this.id = r.rows[0]?.value ?? '';
      } finally {
        client.release();
      }
    })().catch((e: unknown) => {
      this.migrated = undefined;
      throw postgresReachError(this.target, e);
    });
    return this.migrated;
  }

  private error(e: unknown): GaterError {
    if (e instanceof GaterError) return e;
    if (this.closed)
      return new GaterError('connection_closed', `PostgreSQL storage ${this.target} is closed`, {}, { cause: e });
    if (isConnectionError(e)) {
      return new GaterError(
        'connection_closed',
        `lost connection to PostgreSQL at ${this.target}: ${oneLine(e)}. Is the server running?`,
        {},
        { cause: e },
      );
    }
    return new GaterError(
      'internal',
      `PostgreSQL error at ${this.target}: ${oneLine(e)}`,
      { code: errCode(e) },
      { cause: e },
    );
  }

  /** One statement, prepared once per connection under `name`; driver errors become GaterErrors here. */
  private async q(name: string, text: string, values: unknown[]): Promise<Row[]> {
    await this.ready();
    try {
      return (await this.pool.query<Row>({ name: `esdb_${name}`, text, values })).rows;
    } catch (e) {
      throw this.error(e);
    }
  }

  /** The store's id (cached: stores are never deleted); undefined when the store does not exist. */
  private async storeId(store: string, create: boolean): Promise<number | undefined> {
    const known = this.ids.get(store);
    if (known !== undefined) return known;
    const find = () => this.q('store_id', `SELECT id FROM ${this.s}.stores WHERE name = $1`, [store]);
    let rows = await find();
    if (rows.length === 0 && create) {
      await this.q('store_insert', `INSERT INTO ${this.s}.stores (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [
        store,
      ]);
      rows = await find();
    }
    const id = rows[0]?.id as number | undefined;
    if (id !== undefined) this.ids.set(store, id);
    return id;
  }

  /** Runs `read` with the store's id, or returns `missing` when the store does not exist. */
  private async read<T>(store: string, missing: T, read: (id: number) => Promise<T>): Promise<T> {
    const id = await this.storeId(store, false);
    return id === undefined ? missing : read(id);
  }

  async listStores(): Promise<string[]> {
    return (await this.q('stores', `SELECT name FROM ${this.s}.stores ORDER BY id`, [])).map((r) => r.name as string);
  }

  async ensureStore(store: string): Promise<void> {
    await this.storeId(store, true);
  }

  async append(
    store: string,
    streamId: string,
    events: PreparedEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendOutcome> {
    const id = (await this.storeId(store, true))!;
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (e) {
        throw this.error(e);
      }
      let broken: Error | undefined;
      try {
        return await this.appendOnce(client, id, store, streamId, events, expected);
      } catch (e) {
        await client.query('ROLLBACK').catch((r: Error) => (broken = r));
        // The advisory lock makes this unreachable for writers that take it; a unique violation means a writer
        // that did not (or a bug), and retrying re-runs the checks against what it wrote.
        if (errCode(e) === '23505' && attempt < 3) continue;
        throw this.error(e);
      } finally {
        client.release(broken);
      }
    }
  }

  // prettier-ignore
  private async appendOnce(client: pg.PoolClient, id: number, store: string, streamId: string, events: PreparedEvent[],
    expected: ExpectedVersion): Promise<AppendOutcome> {
    const s = this.s;
    const n = events.length;
    // Global positions must become visible to readers in order and without gaps. A sequence cannot do that (it
    // leaves holes on rollback, and a later position can commit before an earlier one, so a reader following
    // the position would skip the earlier one). So appends to a store take turns on a per-store advisory lock
    // held until commit: positions are head+1.. and commit strictly in order. The lock is its own statement
    // because in READ COMMITTED each statement takes a fresh snapshot: the reads below then see the previous
    // holder's commit.
    await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${this.lockNs}, ${id})`);
    const [state] = (
      await client.query<Row>({
        name: 'esdb_append_state',
        text: `SELECT st.head, sv.version,
                 (SELECT array_agg(e.event_id ORDER BY e.version) FROM ${s}.events e
                   WHERE e.store_id = $1 AND e.stream = $2 AND e.version > sv.version - $3) AS tail
               FROM ${s}.stores st LEFT JOIN ${s}.streams sv ON sv.store_id = st.id AND sv.stream = $2 WHERE st.id = $1`,
        values: [id, streamId, n],
      })
    ).rows;
    const current = (state?.version as number | null | undefined) ?? -1;
    const head = (state?.head as number | undefined) ?? -1;
    const ids = events.map((e) => e.eventId);
    if (isDuplicateBatch((state?.tail as string[] | null) ?? [], ids)) {
      await client.query('ROLLBACK');
      return { ok: true, version: current, records: [], duplicate: true };
    }
    if (!expectedVersionMatches(current, expected)) {
      await client.query('ROLLBACK');
      return { ok: false, current };
    }
    const records = buildRecords(streamId, events, current, head);
    const { created, createdEpoch } = records[0]!;
    // One multi-row insert (unnest of arrays, so the statement text and its plan do not depend on the batch
    // size), the stream's version, the store's head and the NOTIFY: one round trip for the whole batch.
    await client.query({
      name: 'esdb_append_write',
      text: `WITH ins AS (
               INSERT INTO ${s}.events (store_id, position, stream, version, event_id, event_type, data_content_type,
                 metadata_content_type, data, metadata, created, created_epoch)
               SELECT $1, $3::bigint + t.ord, $2, $4::bigint + t.ord, t.id, t.type, t.dct, t.mct, t.data, t.meta, $5, $6
               FROM unnest($7::text[], $8::text[], $9::int[], $10::int[], $11::text[], $12::text[])
                 WITH ORDINALITY AS t(id, type, dct, mct, data, meta, ord)
             ), st AS (
               INSERT INTO ${s}.streams (store_id, stream, version, first_position)
               VALUES ($1, $2, $4::bigint + $13::bigint, $3::bigint + 1)
               ON CONFLICT (store_id, stream) DO UPDATE SET version = EXCLUDED.version
             ), hd AS (
               UPDATE ${s}.stores SET head = $3::bigint + $13::bigint WHERE id = $1
             )
             SELECT pg_notify($14, $15)`,
      values: [
        id, streamId, head, current, created, createdEpoch, ids, events.map((e) => e.eventType),
        events.map((e) => e.dataContentType), events.map((e) => e.metadataContentType),
        events.map((e) => toJson(e.data)), events.map((e) => toJson(e.metadata)), n, this.channel, store,
      ],
    });
    await client.query('COMMIT');
    return { ok: true, version: current + n, records, duplicate: false };
  }

  async readStream(store: string, streamId: string, from: number, to: number): Promise<EventRecord[]> {
    if (to < from) return [];
    const sql = `SELECT ${EVENT_FIELDS} FROM ${this.s}.events
                 WHERE store_id = $1 AND stream = $2 AND version BETWEEN $3 AND $4 ORDER BY version`;
    return this.read(store, [], async (id) =>
      (await this.q('read_stream', sql, [id, streamId, Math.max(0, from), to])).map(rowTo.record),
    );
  }

  async readAll(store: string, fromPosition: number, limit: number): Promise<EventRecord[]> {
    if (limit <= 0) return [];
    const sql = `SELECT ${EVENT_FIELDS} FROM ${this.s}.events WHERE store_id = $1 AND position >= $2 ORDER BY position LIMIT $3`;
    const args = (id: number) => [id, Math.max(0, fromPosition), Math.floor(limit)];
    return this.read(store, [], async (id) => (await this.q('read_all', sql, args(id))).map(rowTo.record));
  }

  async getVersion(store: string, streamId: string): Promise<number> {
    const sql = `SELECT version FROM ${this.s}.streams WHERE store_id = $1 AND stream = $2`;
    return this.read(
      store,
      -1,
      async (id) => ((await this.q('version', sql, [id, streamId]))[0]?.version as number | undefined) ?? -1,
    );
  }

  async getStreams(store: string): Promise<string[]> {
    const sql = `SELECT stream FROM ${this.s}.streams WHERE store_id = $1 ORDER BY first_position`;
    return this.read(store, [], async (id) => (await this.q('streams', sql, [id])).map((r) => r.stream as string));
  }

  async headPosition(store: string): Promise<number> {
    const sql = `SELECT head FROM ${this.s}.stores WHERE id = $1`;
    return this.read(store, -1, async (id) => ((await this.q('head', sql, [id]))[0]?.head as number | undefined) ?? -1);
  }

  async saveSubscription(store: string, sub: StoredSubscription): Promise<void> {
    const id = await this.storeId(store, true);
    await this.q(
      'save_sub',
      `INSERT INTO ${this.s}.subscriptions (store_id, key, type, selector, name, start_from, checkpoint, ack_timeout_ms, max_retries)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (store_id, key) DO UPDATE SET type = EXCLUDED.type, selector = EXCLUDED.selector, name = EXCLUDED.name,
         start_from = EXCLUDED.start_from, checkpoint = EXCLUDED.checkpoint, ack_timeout_ms = EXCLUDED.ack_timeout_ms,
         max_retries = EXCLUDED.max_retries`,
      [
        id,
        sub.key,
        sub.type,
        JSON.stringify(sub.selector),
        sub.name,
        sub.startFrom,
        sub.checkpoint,
        sub.ackTimeoutMs,
        sub.maxRetries,
      ],
    );
  }

  async deleteSubscription(store: string, key: string): Promise<void> {
    // One statement, so the subscription and its parked events go together.
    const sql = `WITH p AS (DELETE FROM ${this.s}.parked WHERE store_id = $1 AND key = $2)
                 DELETE FROM ${this.s}.subscriptions WHERE store_id = $1 AND key = $2`;
    await this.read(store, undefined, async (id) => void (await this.q('delete_sub', sql, [id, key])));
  }

  async listSubscriptions(store: string): Promise<StoredSubscription[]> {
    const sql = `SELECT ${SUB_FIELDS} FROM ${this.s}.subscriptions WHERE store_id = $1 ORDER BY seq`;
    return this.read(store, [], async (id) => (await this.q('list_subs', sql, [id])).map(rowTo.subscription));
  }

  async saveCheckpoint(store: string, key: string, checkpoint: number): Promise<void> {
    const sql = `UPDATE ${this.s}.subscriptions SET checkpoint = $3 WHERE store_id = $1 AND key = $2 AND checkpoint < $3`;
    await this.read(store, undefined, async (id) => void (await this.q('checkpoint', sql, [id, key, checkpoint])));
  }

  async parkEvent(store: string, key: string, p: ParkedEvent): Promise<void> {
    const id = await this.storeId(store, true);
    await this.q(
      'park',
      `INSERT INTO ${this.s}.parked (store_id, key, position, subscription, event_id, event_stream_id, event_number, reason,
       retries, parked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
      [id, key, p.position, p.subscription, p.eventId, p.eventStreamId, p.eventNumber, p.reason, p.retries, p.parkedAt],
    );
  }

  async unparkEvents(store: string, key: string, positions?: number[]): Promise<number[]> {
    // One statement: what it returns is what this caller removed, whoever else is unparking.
    const sql = `DELETE FROM ${this.s}.parked WHERE store_id = $1 AND key = $2 AND ($3::bigint[] IS NULL OR position = ANY($3))
                 RETURNING position`;
    return this.read(store, [], async (id) =>
      (await this.q('unpark', sql, [id, key, positions ?? null])).map((r) => Number(r.position)),
    );
  }

  async resetCheckpoint(store: string, key: string, checkpoint: number): Promise<void> {
    const sql = `UPDATE ${this.s}.subscriptions SET checkpoint = $3 WHERE store_id = $1 AND key = $2`;
    await this.read(
      store,
      undefined,
      async (id) => void (await this.q('reset_checkpoint', sql, [id, key, checkpoint])),
    );
  }

  async listParked(store: string, key: string): Promise<ParkedEvent[]> {
    const sql = `SELECT ${PARKED_FIELDS} FROM ${this.s}.parked WHERE store_id = $1 AND key = $2 ORDER BY seq`;
    return this.read(
      store,
      [],
      async (id) => (await this.q('list_parked', sql, [id, key])) as unknown as ParkedEvent[],
    );
  }

  async recordSnapshot(store: string, snap: SnapshotRecord): Promise<void> {
    const id = await this.storeId(store, true);
    await this.q(
      'save_snapshot',
      `INSERT INTO ${this.s}.snapshots (store_id, source_uuid, stream_uuid, version, record, created) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (store_id, source_uuid, stream_uuid, version) DO UPDATE SET record = EXCLUDED.record, created = EXCLUDED.created`,
      [id, snap.sourceUuid, snap.streamUuid, snap.version, toJson(snap.record), snap.created],
    );
  }

  async readSnapshot(store: string, src: string, stream: string, version: number): Promise<SnapshotRecord | undefined> {
    const sql = `SELECT ${SNAPSHOT_FIELDS} FROM ${this.s}.snapshots
                 WHERE store_id = $1 AND source_uuid = $2 AND stream_uuid = $3 AND version = $4`;
    return this.read(store, undefined, async (id) => {
      const [row] = await this.q('read_snapshot', sql, [id, src, stream, version]);
      return row && rowTo.snapshot(row);
    });
  }

  async deleteSnapshot(store: string, src: string, stream: string, version: number): Promise<boolean> {
    const sql = `DELETE FROM ${this.s}.snapshots WHERE store_id = $1 AND source_uuid = $2 AND stream_uuid = $3 AND version = $4 RETURNING 1`;
    return this.read(
      store,
      false,
      async (id) => (await this.q('delete_snapshot', sql, [id, src, stream, version])).length > 0,
    );
  }

  async listSnapshots(store: string, src: string, stream: string): Promise<SnapshotRecord[]> {
    const sql = `SELECT ${SNAPSHOT_FIELDS} FROM ${this.s}.snapshots
                 WHERE store_id = $1 AND ($2::text = 'any' OR source_uuid = $2) AND ($3::text = 'any' OR stream_uuid = $3)`;
    // Sorted here with the memory adapter's comparator, so listings agree whatever the database collation.
    return this.read(store, [], async (id) =>
      (await this.q('list_snapshots', sql, [id, src, stream])).map(rowTo.snapshot).sort(compareSnapshots),
    );
  }

  /** Calls `onAppend` when another node appends to `store` (NOTIFY on the LISTEN connection). */
  watch(store: string, onAppend: () => void): () => void {
    let set = this.watchers.get(store);
    if (!set) this.watchers.set(store, (set = new Set()));
    const fn = () => onAppend(); // a fresh wrapper, so the same callback may be registered twice
    set.add(fn);
    this.startListener(false);
    const mine = set;
    return () => {
      mine.delete(fn);
      if (mine.size === 0 && this.watchers.get(store) === mine) this.watchers.delete(store);
    };
  }

  /** Resolves once LISTEN is active, so no later append by another node can be missed (tests, startup). */
  async whenListening(timeoutMs = this.connectTimeoutMs + 1000): Promise<void> {
    this.startListener(false);
    const until = Date.now() + timeoutMs;
    while (!this.listenerUp) {
      if (this.closed || Date.now() > until)
        throw new GaterError('timeout', `could not LISTEN on PostgreSQL at ${this.target}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private startListener(reconnect: boolean): void {
    if (this.closed || this.listener || this.reconnectTimer) return;
    const config = { connectionString: this.url, connectionTimeoutMillis: this.connectTimeoutMs };
    const client = new pg.Client({ ...config, application_name: 'ex-esdb-console listen' });
    this.listener = client;
    client.on('notification', (m) => {
      if (m.channel !== this.channel || this.ownPids.has(m.processId)) return;
      this.fire(m.payload ?? '');
    });
    client.on('error', () => this.listenerLost(client));
    client.on('end', () => this.listenerLost(client));
    void (async () => {
      try {
        await client.connect();
        await client.query(`LISTEN "${this.channel}"`);
      } catch {
        return this.listenerLost(client);
      }
      if (this.listener !== client) return;
      this.listenerUp = true;
      this.backoffMs = 100;
      // Appends made while we were not listening (before the first LISTEN, or while reconnecting) were never
      // announced to us: let every watcher catch up once.
      for (const store of [...this.watchers.keys()]) this.fire(store);
    })();
  }

  /** The LISTEN connection failed or dropped: reconnect with backoff (100 ms doubling to 5 s). */
  private listenerLost(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    this.listenerUp = false;
    client.end().catch(() => {});
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.startListener(true);
    }, this.backoffMs);
    this.reconnectTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, 5000);
  }

  private fire(store: string): void {
    for (const fn of [...(this.watchers.get(store) ?? [])]) {
      try {
        fn();
      } catch {
        // a watcher's failure is its own business
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchers.clear();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    this.listenerUp = false;
    await Promise.all([listener?.end().catch(() => {}), this.pool.end().catch(() => {})]);
  }
}
