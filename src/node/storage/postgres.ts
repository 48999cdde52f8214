import pg from 'pg';
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
import { describeStorage } from '../../core/storageSpec.js';
import {
  appendLockKey,
  errCode,
  expectedCode,
  INT8_AS_NUMBER,
  isConnectionError,
  migrate,
  postgresReachError,
  SCHEMA_NAME,
  splitSchema,
} from './postgresSchema.js';
import { AppendListener } from './appendListener.js';
import { NotifyGate } from './notifyGate.js';
import { AppendQueue } from './appendQueue.js';
import {
  compareSnapshots,
  appendInstant,
  buildRecords,
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
  /**
   * Safety net: a statement waiting longer than this for a lock fails with `timeout` (default 5000 ms). Appends hold
   * locks only inside one statement, so only something outside this adapter can make one wait that long.
   */
  lockTimeoutMs?: number;
}

/** A session left idle inside a transaction longer than this is ended by the server (safety net; ms). */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;

/**
 * Append statements of one store a node runs at once (AppendQueue). Measured with 8 writers on different streams
 * (2-core machine, events/s): one at a time 4,300-5,000 (the server works a group on one core while the other
 * waits), two 7,100-7,800, three 5,500-7,200.
 */
const GROUPS_IN_FLIGHT = 2;

/** query_canceled: a group statement cancelled would be cancelled for each of its appends alone too. */
const STATEMENT_CANCELLED = '57014';

/** One append waiting in a store's AppendQueue, with the instant it was called (its events' `created`). */
interface QueuedAppend {
  streamId: string;
  events: PreparedEvent[];
  expected: ExpectedVersion;
  created: string;
  createdEpoch: number;
}

/** The columns of esdb_append's (and esdb_append_many's) answer that toOutcome reads. */
const OUTCOME_COLUMNS = 'outcome, version, positions, event_id AS "eventId"';

/** What esdb_append (or one row of esdb_append_many) answered, as the adapter's outcome. */
function toOutcome(row: Row, item: QueuedAppend): AppendOutcome {
  const version = row.version as number;
  if (row.outcome === 'deduplicated') return { ok: true, version, records: [], duplicate: true };
  if (row.outcome === 'duplicate_event')
    return { ok: false, current: version, duplicateEventId: row.eventId as string };
  if (row.outcome === 'wrong_expected_version') return { ok: false, current: version };
  const positions = (row.positions as (string | number)[]).map(Number); // int8[] arrives as strings
  const records = buildRecords(item.streamId, item.events, version - item.events.length, -1, positions, item);
  return { ok: true, version, records, duplicate: false };
}

/** The event arrays of esdb_append and esdb_append_many (p_ids to p_meta), in that order. */
function eventColumns(events: PreparedEvent[]): unknown[] {
  return [
    events.map((e) => e.eventId),
    events.map((e) => e.eventType),
    events.map((e) => e.dataContentType),
    events.map((e) => e.metadataContentType),
    events.map((e) => toJson(e.data)),
    events.map((e) => toJson(e.metadata)),
  ];
}

/** esdb_append_many's arguments from p_streams to p_created_epoch: one entry per append, events flattened. */
function groupValues(items: QueuedAppend[]): unknown[] {
  return [
    items.map((a) => a.streamId),
    items.map((a) => expectedCode(a.expected)),
    items.map((a) => a.events.length),
    ...eventColumns(items.flatMap((a) => a.events)),
    items.map((a) => a.created),
    items.map((a) => a.createdEpoch),
  ];
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** How soon followers look again at a hole in the positions (an append still running, or one that failed). */
const HOLE_RECHECK_MS = 20;

/**
 * Shared storage in PostgreSQL (pg): many nodes on many machines host the same stores. An append is ONE statement,
 * the server-side function esdb_append (postgresSchema.ts): no lock is held across a round trip, writers of
 * different streams do not wait for each other. Appends a node makes while two of its statements for the store run
 * go together in the next (esdb_append_many, AppendQueue). It NOTIFYs one channel with the store name (at most
 * once per transaction, one at a time and at most once per 2 ms per node and store: NotifyGate); the
 * AppendListener's LISTEN connection tells `watch` callers about appends made by other nodes.
 */
export class PostgresStorage implements StorageAdapter {
  readonly kind = 'postgres';
  readonly target: string;
  readonly shared = true;
  readonly positionsInCommitOrder = false;
  readonly schema: string;
  private readonly url: string;
  private readonly pool: pg.Pool;
  private readonly s: string;
  private readonly channel: string;
  private readonly connectTimeoutMs: number;
  /** Per store: the queue its appends wait in, and the gate that says which of its statements NOTIFY. */
  private readonly appenders = new Map<string, { queue: AppendQueue<QueuedAppend, AppendOutcome>; gate: NotifyGate }>();
  /** Holes in the positions readAll met: `<store id>:<position>` -> the appends running when it was first seen. */
  private readonly holes = new Map<string, Set<string>>();
  private readonly appendLock: number;
  private readonly recheck = new Map<string, NodeJS.Timeout>();
  private readonly ids = new Map<string, number>();
  /** Backend pids of our pool's connections: notifications they sent are our own appends. */
  private readonly ownPids = new Set<number>();
  private readonly listener: AppendListener;
  private migrated: Promise<void> | undefined;
  private closed = false;
  private id = '';
  /** Whether the (store, event id) index is unique; when not, every append asks for esdb_append's full id check. */
  private idsUnique = false;

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
    this.appendLock = appendLockKey(this.schema);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    const max = options.poolSize ?? 10;
    const lockTimeoutMs = Math.max(1, Math.floor(options.lockTimeoutMs ?? 5000));
    const config = {
      connectionString: this.url,
      connectionTimeoutMillis: this.connectTimeoutMs,
      types: INT8_AS_NUMBER,
      options: `-c lock_timeout=${lockTimeoutMs} -c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_TIMEOUT_MS}`,
    };
    this.pool = new pg.Pool({ ...config, max, application_name: 'ex-esdb-console' });
    this.pool.on('error', () => {}); // an idle connection died: the pool replaces it, the next query reports
    this.pool.on('connect', (c) => this.ownPids.add((c as unknown as { processID: number }).processID));
    this.pool.on('remove', (c) => this.ownPids.delete((c as unknown as { processID: number }).processID));
    this.listener = new AppendListener({
      url: this.url,
      channel: this.channel,
      connectTimeoutMs: this.connectTimeoutMs,
      target: this.target,
      isOwn: (pid) => this.ownPids.has(pid),
    });
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
        const r = await client.query<{ value: string; unique: boolean | null }>(
          `SELECT value, (SELECT indisunique FROM pg_index WHERE indexrelid = to_regclass($1)) AS unique
             FROM ${this.s}.meta WHERE key = 'storage_id'`,
          [`${this.s}.events_event_id`],
        );
        this.id = r.rows[0]?.value ?? '';
        this.idsUnique = r.rows[0]?.unique === true;
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
    if (errCode(e) === '55P03') {
      return new GaterError(
        'timeout',
        `PostgreSQL at ${this.target}: a lock stayed taken past lock_timeout (${oneLine(e)}); another session holds it — retry, or look for a stuck transaction`,
        {},
        { cause: e },
      );
    }
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
    const rows = create
      ? await this.q('store_create', `SELECT ${this.s}.esdb_store($1) AS id`, [store])
      : await this.q('store_id', `SELECT id FROM ${this.s}.stores WHERE name = $1`, [store]);
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
    let appender = this.appenders.get(store);
    if (!appender) {
      const gate = new NotifyGate(() => this.notifyOnly(store));
      const queue = new AppendQueue<QueuedAppend, AppendOutcome>((group) => this.appendGroup(store, id, gate, group), {
        maxInFlight: GROUPS_IN_FLIGHT,
      });
      this.appenders.set(store, (appender = { queue, gate }));
    }
    return appender.queue.submit({ streamId, events, expected, ...appendInstant() }, events.length);
  }

  /** Appends queued together (AppendQueue): one alone goes as it came; more go in one esdb_append_many statement. */
  private async appendGroup(store: string, id: number, gate: NotifyGate, group: QueuedAppend[]) {
    if (group.length === 1) return [await this.appendOne(store, id, gate, group[0]!)];
    // By stream, so groups lock stream rows in one order (Array#sort is stable: one stream's appends keep theirs).
    const order = group.map((_, i) => i).sort((a, b) => compareText(group[a]!.streamId, group[b]!.streamId));
    const notify = gate.begin();
    let wrote = false;
    let results: (AppendOutcome | Promise<AppendOutcome>)[];
    try {
      const { rows } = await this.pool.query<Row>({
        name: 'esdb_append_many',
        text: `SELECT ${OUTCOME_COLUMNS} FROM ${this.s}.esdb_append_many($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        values: [id, ...groupValues(order.map((i) => group[i]!)), this.channel, store, notify, !this.idsUnique],
      });
      results = new Array<AppendOutcome>(group.length);
      for (let k = 0; k < order.length; k++) {
        const outcome = toOutcome(rows[k]!, group[order[k]!]!);
        wrote ||= outcome.ok && !outcome.duplicate;
        results[order[k]!] = outcome;
      }
    } catch (e) {
      // A server or connection that fails the group would fail each append too; so would a cancelled statement.
      if (isConnectionError(e) || errCode(e) === STATEMENT_CANCELLED) throw this.error(e);
      results = [];
    } finally {
      gate.end(notify, wrote);
    }
    if (results.length > 0) return results;
    // Nothing of the group was written (one transaction). Each append on its own, so only one that fails by itself
    // fails (an id another writer committed meanwhile is looked up as for a single append, a stream row held
    // elsewhere is waited for by the appends to that stream only). One stream's appends go in their order, streams
    // side by side; the group's turn ends now, so the node's next appends do not wait for these.
    const byStream = new Map<string, Promise<unknown>>();
    return group.map((item) => {
      const one = (byStream.get(item.streamId) ?? Promise.resolve()).then(() => this.appendOne(store, id, gate, item));
      byStream.set(
        item.streamId,
        one.catch(() => {}), // its failure is its own: reported to its caller alone
      );
      return one;
    });
  }

  private async appendOne(store: string, id: number, gate: NotifyGate, item: QueuedAppend): Promise<AppendOutcome> {
    const { streamId, events, expected, created, createdEpoch } = item;
    const values = [
      id,
      streamId,
      expectedCode(expected),
      ...eventColumns(events),
      created,
      createdEpoch,
      this.channel,
      store,
    ];
    // The full id analysis at once where the index cannot refuse a stored id, or after an insert met one.
    let check = !this.idsUnique;
    for (let attempt = 1; ; attempt++) {
      const notify = gate.begin();
      let wrote = false;
      try {
        const { rows } = await this.pool.query<Row>({
          name: 'esdb_append',
          text: `SELECT ${OUTCOME_COLUMNS} FROM ${this.s}.esdb_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
          values: [...values, notify, check],
        });
        const outcome = toOutcome(rows[0]!, item);
        wrote = outcome.ok && !outcome.duplicate;
        return outcome;
      } catch (e) {
        // Another writer committed one of these ids (in another stream) while we inserted: the next attempt's id
        // check says whether that makes this batch a duplicate or a conflict.
        if (errCode(e) === '23505' && attempt < 3) {
          check = true;
          continue;
        }
        throw this.error(e);
      } finally {
        gate.end(notify, wrote);
      }
    }
  }

  /** A NOTIFY of its own, for appends that committed while another append of this node held the turn to notify. */
  private async notifyOnly(store: string): Promise<void> {
    await this.pool.query({ name: 'esdb_notify', text: 'SELECT pg_notify($1, $2)', values: [this.channel, store] });
  }

  async readStream(store: string, streamId: string, from: number, to: number): Promise<EventRecord[]> {
    if (to < from) return [];
    const sql = `SELECT ${EVENT_FIELDS} FROM ${this.s}.events
                 WHERE store_id = $1 AND stream = $2 AND version BETWEEN $3 AND $4 ORDER BY version`;
    return this.read(store, [], async (id) =>
      (await this.q('read_stream', sql, [id, streamId, Math.max(0, from), to])).map(rowTo.record),
    );
  }

  /**
   * Events from `fromPosition` in position order, stopping at a hole. Positions come from a sequence, so an append
   * still running can commit a lower position after a higher one has become visible, and a failed append leaves a
   * hole for ever. A follower must not step over the first kind. Every append holds the store's append lock
   * (shared) while it runs, so at a hole the appends then running are read from pg_locks; once none of them runs
   * any more, the rows are read again, and a position still missing is a hole for ever and is stepped over. While
   * a hole stays open, watchers are called again shortly, so subscriptions look again without a new append.
   *
   * Why not the transaction-id high-water mark (Marten, Emmett: read only rows whose writing transaction is older
   * than the oldest one running): the append lock costs an append nothing measurable (backend CPU per batch-1
   * append with and without it: 230 and 235 µs), and the oldest running transaction is any session's in the whole
   * server, so one long report or idle-in-transaction session would stop every follower; the append lock makes
   * followers wait only for appends to this store.
   */
  async readAll(store: string, fromPosition: number, limit: number): Promise<EventRecord[]> {
    if (limit <= 0) return [];
    return this.read(store, [], async (id) => {
      const out: EventRecord[] = [];
      let next = Math.max(0, fromPosition);
      let rows = await this.rowsFrom(id, next, limit);
      let i = 0;
      while (i < rows.length) {
        const r = rows[i]!;
        if (r.position === next) {
          out.push(rowTo.record(r));
          next++;
          i++;
          continue;
        }
        const key = `${id}:${next}`;
        const seen = this.holes.get(key);
        const running = await this.appendsRunning(id);
        if (seen === undefined || [...seen].some((v) => running.has(v))) {
          if (seen === undefined) this.holes.set(key, running);
          this.recheckSoon(store);
          break;
        }
        // Every append that was running when the hole was seen has ended: what they committed is visible now.
        rows = await this.rowsFrom(id, next, limit - out.length);
        i = 0;
        this.holes.delete(key);
        if (rows.length === 0) break;
        next = rows[0]!.position as number; // unchanged if the hole was filled, else past it
      }
      return out;
    });
  }

  private async rowsFrom(id: number, from: number, limit: number): Promise<Row[]> {
    const sql = `SELECT ${EVENT_FIELDS} FROM ${this.s}.events WHERE store_id = $1 AND position >= $2 ORDER BY position LIMIT $3`;
    return this.q('read_all', sql, [id, from, Math.floor(limit)]);
  }

  /** Virtual transaction ids of the appends to the store running right now. */
  private async appendsRunning(id: number): Promise<Set<string>> {
    const sql = `SELECT virtualtransaction AS v FROM pg_locks
                 WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2 AND granted`;
    const rows = await this.q('appends_running', sql, [this.appendLock, id]);
    return new Set(rows.map((r) => r.v as string));
  }

  private recheckSoon(store: string): void {
    if (this.recheck.has(store)) return;
    const t = setTimeout(() => {
      this.recheck.delete(store);
      this.listener.fire(store);
    }, HOLE_RECHECK_MS);
    t.unref();
    this.recheck.set(store, t);
  }

  async findCorrelated(store: string, keys: string[], afterPosition: number, limit: number): Promise<EventRecord[]> {
    if (limit <= 0 || keys.length === 0) return [];
    // Three indexed lookups (event id, correlation, causation) that PostgreSQL combines as a BitmapOr.
    const sql = `SELECT ${EVENT_FIELDS} FROM ${this.s}.events
                 WHERE store_id = $1 AND position > $3 AND (event_id = ANY($2::text[])
                   OR ${this.s}.esdb_correlation(metadata) = ANY($2::text[])
                   OR ${this.s}.esdb_causation(metadata) = ANY($2::text[]))
                 ORDER BY position LIMIT $4`;
    return this.read(store, [], async (id) =>
      (await this.q('find_correlated', sql, [id, keys, afterPosition, Math.floor(limit)])).map(rowTo.record),
    );
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
    const sql = `SELECT stream FROM ${this.s}.streams WHERE store_id = $1 AND version >= 0 ORDER BY first_position`;
    return this.read(store, [], async (id) => (await this.q('streams', sql, [id])).map((r) => r.stream as string));
  }

  async headPosition(store: string): Promise<number> {
    const sql = `SELECT coalesce(max(position), -1) AS head FROM ${this.s}.events WHERE store_id = $1`;
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
    return this.listener.watch(store, onAppend);
  }

  /** Resolves once LISTEN is active, so no later append by another node can be missed (tests, startup). */
  whenListening(timeoutMs?: number): Promise<void> {
    return this.listener.whenListening(timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.recheck.values()) clearTimeout(t);
    this.recheck.clear();
    await Promise.all([...this.appenders.values()].map((a) => a.gate.close())); // the last appends' NOTIFY, if still owed
    await Promise.all([this.listener.close(), this.pool.end().catch(() => {})]);
  }
}
