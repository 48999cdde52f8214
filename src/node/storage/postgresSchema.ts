import pg, { type ClientBase } from 'pg';
import { CAUSATION_KEYS, CORRELATION_KEYS } from '../../core/correlation.js';
import { GaterError } from '../../core/errors.js';
import type { ExpectedVersion } from '../../core/types.js';
import { oneLine } from './sqlRows.js';

/**
 * Versioned schema of the PostgreSQL adapter (and, at the end, its connection helpers). Migrations are append-only: never edit a shipped one, add the next
 * version instead. `schema_migrations` records what ran, so every node can start against any older database.
 */
export interface Migration {
  version: number;
  description: string;
  /** SQL for the migration; `s` is the quoted schema name to qualify tables with. */
  up: (s: string) => string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'stores, streams, events, subscriptions, parked events, snapshots',
    // JSON values are TEXT (not JSONB) so they come back byte-for-byte as written: JSONB would reorder keys and
    // normalise numbers. `created` is TEXT for the same reason (the ISO string the append produced).
    up: (s) => `
      CREATE TABLE ${s}.stores (
        id serial PRIMARY KEY,
        name text NOT NULL UNIQUE,
        head bigint NOT NULL DEFAULT -1
      );
      CREATE TABLE ${s}.streams (
        store_id int NOT NULL,
        stream text NOT NULL,
        version bigint NOT NULL,
        first_position bigint NOT NULL,
        PRIMARY KEY (store_id, stream)
      );
      CREATE TABLE ${s}.events (
        store_id int NOT NULL,
        position bigint NOT NULL,
        stream text NOT NULL,
        version bigint NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        data_content_type int NOT NULL,
        metadata_content_type int NOT NULL,
        data text,
        metadata text,
        created text NOT NULL,
        created_epoch bigint NOT NULL,
        PRIMARY KEY (store_id, position),
        CONSTRAINT events_stream_version UNIQUE (store_id, stream, version)
      );
      CREATE TABLE ${s}.subscriptions (
        store_id int NOT NULL,
        key text NOT NULL,
        seq bigserial NOT NULL,
        type text NOT NULL,
        selector text NOT NULL,
        name text NOT NULL,
        start_from bigint NOT NULL,
        checkpoint bigint NOT NULL,
        ack_timeout_ms bigint NOT NULL,
        max_retries int NOT NULL,
        PRIMARY KEY (store_id, key)
      );
      CREATE TABLE ${s}.parked (
        store_id int NOT NULL,
        key text NOT NULL,
        position bigint NOT NULL,
        seq bigserial NOT NULL,
        subscription text NOT NULL,
        event_id text NOT NULL,
        event_stream_id text NOT NULL,
        event_number bigint NOT NULL,
        reason text NOT NULL,
        PRIMARY KEY (store_id, key, position)
      );
      CREATE TABLE ${s}.snapshots (
        store_id int NOT NULL,
        source_uuid text NOT NULL,
        stream_uuid text NOT NULL,
        version bigint NOT NULL,
        record text,
        created text NOT NULL,
        PRIMARY KEY (store_id, source_uuid, stream_uuid, version)
      );`,
  },
  {
    version: 2,
    description: 'storage identity: one id per schema, announced by every node using it',
    // md5 of random text rather than gen_random_uuid(): works on every supported server without extensions.
    up: (s) => `
      CREATE TABLE ${s}.meta (key text PRIMARY KEY, value text NOT NULL);
      INSERT INTO ${s}.meta (key, value) VALUES ('storage_id', 'pg-' || left(md5(random()::text || clock_timestamp()::text), 16));`,
  },
  {
    version: 3,
    description: 'parked events keep their retry count and when they were parked',
    up: (s) => `
      ALTER TABLE ${s}.parked ADD COLUMN retries int NOT NULL DEFAULT 0;
      ALTER TABLE ${s}.parked ADD COLUMN parked_at text NOT NULL DEFAULT '';`,
  },
  {
    version: 4,
    description: 'event ids unique per store; per-store position sequences; esdb_store and esdb_append functions',
    up: (s) => `
      -- Event ids are unique per store. A database written before this version may already hold duplicates: then the
      -- index cannot be UNIQUE, and esdb_append's own check (exact for appends to one stream) is what remains.
      DO $m$ BEGIN
        IF EXISTS (SELECT 1 FROM ${s}.events GROUP BY store_id, event_id HAVING count(*) > 1) THEN
          CREATE INDEX events_event_id ON ${s}.events (store_id, event_id);
        ELSE
          CREATE UNIQUE INDEX events_event_id ON ${s}.events (store_id, event_id);
        END IF;
      END $m$;
      -- Global positions come from one sequence per store (pos_<store id>), continuing after the existing head.
      DO $m$ DECLARE r record; BEGIN
        FOR r IN SELECT id, head FROM ${s}.stores LOOP
          EXECUTE format('CREATE SEQUENCE %s.%I MINVALUE 0 START %s', ${literal(s)}, 'pos_' || r.id, r.head + 1);
        END LOOP;
      END $m$;

      -- The store's id, creating the store and its position sequence together when missing.
      CREATE FUNCTION ${s}.esdb_store(p_name text) RETURNS int LANGUAGE plpgsql AS $f$
      DECLARE sid int;
      BEGIN
        SELECT id INTO sid FROM ${s}.stores WHERE name = p_name;
        IF FOUND THEN RETURN sid; END IF;
        INSERT INTO ${s}.stores (name) VALUES (p_name) ON CONFLICT (name) DO NOTHING RETURNING id INTO sid;
        IF sid IS NULL THEN -- created meanwhile by another node (we waited for its commit)
          SELECT id INTO sid FROM ${s}.stores WHERE name = p_name;
          RETURN sid;
        END IF;
        EXECUTE format('CREATE SEQUENCE %s.%I MINVALUE 0 START 0', ${literal(s)}, 'pos_' || sid);
        RETURN sid;
      END $f$;

      ${APPEND_FUNCTION(s)}`,
  },
  {
    version: 5,
    description: 'correlation and causation indexes for follow',
    // IMMUTABLE functions so they can be indexed; metadata is always written as JSON text by this adapter. The
    // spellings are core/correlation.ts's; the first holding a string wins. `follow` queries through the same functions.
    up: (s) => `
      CREATE FUNCTION ${s}.esdb_correlation(m text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $f$ SELECT coalesce(${CORRELATION_KEYS.map((k) => `CASE WHEN jsonb_typeof(m::jsonb -> ${literal(k)}) = 'string' THEN m::jsonb ->> ${literal(k)} END`).join(', ')}) $f$;
      CREATE FUNCTION ${s}.esdb_causation(m text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $f$ SELECT coalesce(${CAUSATION_KEYS.map((k) => `CASE WHEN jsonb_typeof(m::jsonb -> ${literal(k)}) = 'string' THEN m::jsonb ->> ${literal(k)} END`).join(', ')}) $f$;
      CREATE INDEX events_correlation ON ${s}.events (store_id, ${s}.esdb_correlation(metadata));
      CREATE INDEX events_causation ON ${s}.events (store_id, ${s}.esdb_causation(metadata));`,
  },
  {
    version: 6,
    description: 'esdb_append looks each event id up on its own (the planner scanned whole stores for the batch)',
    up: (s) => APPEND_FUNCTION(s, 6),
  },
  {
    version: 7,
    description: 'esdb_append 7 (15 arguments): a probe per id, the stream row updated once, a refusal as a row',
    up: (s) => APPEND_FUNCTION_7(s),
  },
  {
    version: 8,
    description:
      'esdb_append_many: the appends a node queued meanwhile in one statement; one event inserted from VALUES',
    up: (s) => APPEND_FUNCTION_7(s, true) + APPEND_MANY_FUNCTION(s),
  },
];

/**
 * First key of the advisory lock appends hold shared (the second is the store id): positive, so it reads the same
 * in pg_locks.classid (an oid).
 */
export const appendLockKey = (schema: string): number => lockKey(`append:${schema}`) & 0x7fff_ffff;

/** A quoted identifier as an SQL string literal, for format() inside migrations. */
const literal = (quoted: string) => `'${quoted.replace(/'/g, "''")}'`;

/** esdb_append's code for an expected version ('any' and 'stream_exists' as negative sentinels). */
export function expectedCode(expected: ExpectedVersion): number {
  if (expected === 'any') return -4;
  if (expected === 'stream_exists') return -3;
  if (expected === 'no_stream') return -1;
  return expected;
}

/**
 * The PostgreSQL append: ONE statement, so no lock is ever held across a client round trip (a paused or dead node
 * cannot block other writers), in the order of DESIGN §4.3:
 *
 * 1. Event ids: looked up in the unique (store, event id) index. All stored, in this stream and order: the
 *    original version, nothing written ('deduplicated'). Some: 'duplicate_event' naming the first.
 * 2. The stream's row is locked (FOR UPDATE; created when missing): writers of ONE stream take turns, writers of
 *    different streams do not wait for each other.
 * 3. Expected version: a mismatch RAISEs 'wrong_expected_version' (DETAIL = current version), so the stream row
 *    a first append created is rolled back with it.
 * 4. Events are inserted with positions from the store's sequence and the stream's version moves on.
 * 5. NOTIFY only when the caller asks (p_notify): a notifying transaction takes PostgreSQL's global notify lock
 *    through its commit, so the node lets one append at a time notify, at most one every 2 ms (NotifyGate).
 *
 * Every append holds the store's APPEND lock in shared mode (appenders never wait for each other): a follower that
 * meets a hole in the positions learns from pg_locks which appends were running (PostgresStorage.readAll).
 *
 * Why a sequence and not a per-store serialisation point (measured on this 2-core machine, 8 writers on different
 * streams, see the adapter's comment): a store-wide lock is held through the commit's WAL flush, so 8 writers ran
 * no faster than one (0.4-0.5x); with the sequence they scale with group commit. The price: positions of
 * concurrent appends may commit out of order, and a failed append may leave a hole. Followers therefore read
 * positions in order and stop at a hole until it is filled or provably never will be (readAll in the adapter).
 */
/**
 * The analysis of a batch's stored ids (step 1 above) as esdb_append's body holds it, each line indented by
 * `pad` more than version 4's. Version 6 on: each id is looked up on its own (LATERAL ... LIMIT 1), so the planner
 * can only take the (store, event id) index. Version 4's join let it scan a whole store through another index that
 * starts with store_id (measured: a batch of 100 went from 7 ms to 20 ms over 100,000 events, 6.4 million index
 * tuples read). Shipped migrations' text must not change (postgresSchema.test.ts pins it).
 */
function idAnalysis(s: string, version: 4 | 6, pad = ''): string {
  const join =
    version === 4
      ? `
                  JOIN ${s}.events e ON e.store_id = p_store AND e.event_id = t.id) h;`
      : `
                  CROSS JOIN LATERAL (SELECT x.stream, x.version FROM ${s}.events x
                                       WHERE x.store_id = p_store AND x.event_id = t.id LIMIT 1) e) h;`;
  const text = `
        SELECT count(*), min(h.ord), bool_and(h.stream = p_stream AND (h.prev IS NULL OR h.version > h.prev)),
               max(h.version)
          INTO hits, first_hit, in_order, last_version
          FROM (SELECT t.ord, e.stream, e.version, lag(e.version) OVER (ORDER BY t.ord) AS prev
                  FROM unnest(p_ids) WITH ORDINALITY AS t(id, ord)${join}
        IF hits = n AND in_order THEN
          RETURN QUERY SELECT 'deduplicated'::text, last_version, NULL::bigint[], NULL::text;
          RETURN;
        ELSIF hits > 0 THEN
          SELECT st.version INTO cur FROM ${s}.streams st WHERE st.store_id = p_store AND st.stream = p_stream;
          RETURN QUERY SELECT 'duplicate_event'::text, coalesce(cur, -1), NULL::bigint[], p_ids[first_hit];
          RETURN;
        END IF;`;
  return text.replaceAll('\n', `\n${pad}`);
}

function APPEND_FUNCTION(s: string, version: 4 | 6 = 4): string {
  return `
      CREATE ${version === 4 ? '' : 'OR REPLACE '}FUNCTION ${s}.esdb_append(p_store int, p_stream text, p_expected bigint, p_ids text[], p_types text[],
        p_dct int[], p_mct int[], p_data text[], p_meta text[], p_created text, p_created_epoch bigint, p_channel text,
        p_payload text, p_notify boolean)
      RETURNS TABLE (outcome text, version bigint, positions bigint[], event_id text)
      LANGUAGE plpgsql AS $f$
      DECLARE
        n int := cardinality(p_ids);
        seq regclass := (${literal(s)} || '.pos_' || p_store)::regclass;
        hits int; first_hit int; in_order boolean; last_version bigint; cur bigint;
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(${appendLockKey(s.slice(1, -1))}, p_store); -- for followers at a hole${idAnalysis(s, version)}
        SELECT st.version INTO cur FROM ${s}.streams st WHERE st.store_id = p_store AND st.stream = p_stream FOR UPDATE;
        IF NOT FOUND THEN
          INSERT INTO ${s}.streams (store_id, stream, version, first_position) VALUES (p_store, p_stream, -1, -1)
            ON CONFLICT DO NOTHING;
          SELECT st.version INTO cur FROM ${s}.streams st
            WHERE st.store_id = p_store AND st.stream = p_stream FOR UPDATE;
        END IF;
        IF NOT (p_expected = -4 OR (p_expected = -3 AND cur >= 0) OR (p_expected >= -1 AND cur = p_expected)) THEN
          RAISE EXCEPTION 'wrong_expected_version' USING DETAIL = cur::text;
        END IF;
        RETURN QUERY
          WITH ins AS (
            INSERT INTO ${s}.events (store_id, position, stream, version, event_id, event_type, data_content_type,
              metadata_content_type, data, metadata, created, created_epoch)
            SELECT p_store, nextval(seq), p_stream, cur + t.ord, t.id, t.ty, t.dct, t.mct, t.d, t.m, p_created,
                   p_created_epoch
              FROM unnest(p_ids, p_types, p_dct, p_mct, p_data, p_meta) WITH ORDINALITY AS t(id, ty, dct, mct, d, m, ord)
            RETURNING ${s}.events.version AS v, ${s}.events.position AS p
          ), upd AS (
            UPDATE ${s}.streams st SET version = cur + n,
                first_position = CASE WHEN st.first_position < 0 THEN (SELECT min(p) FROM ins) ELSE st.first_position END
              WHERE st.store_id = p_store AND st.stream = p_stream
          )
          SELECT 'appended'::text, cur + n, (SELECT array_agg(p ORDER BY v) FROM ins), NULL::text;
        IF p_notify THEN
          PERFORM pg_notify(p_channel, p_payload);
        END IF;
      END $f$;`;
}

/**
 * Version 7 of esdb_append, an overload with one more argument (p_check): the same contract, outcome and order as
 * APPEND_FUNCTION's comment describes, with less work per call. Nodes of older versions keep calling the 14-argument
 * function of version 6, which stays as it was (this one answers a refusal with a row, not an exception). Measured
 * per call in backend CPU, batch 1, one writer: version 6 about 325 µs, this about 220 µs; a bare INSERT of the same
 * row into the same table about 130 µs.
 *
 * - Event ids: one probe per id of the (store, event id) index, by its whole key, and version 6's per-id analysis
 *   only when it finds one. A probe for the whole batch (event_id = ANY (p_ids)) was tried and dropped: its generic
 *   plan, made while the store was small, read the store through the causation index ever after (72 million index
 *   tuples for 12,000 appends). Leaving the check to the unique index (look up only after a 23505) was tried too:
 *   cheaper by about 20 µs, but every re-sent batch then left a hole in the positions, which live followers wait at.
 *   p_check asks for the analysis at once: the node passes it when the index is not unique (a database that held
 *   duplicates before version 4) and when its insert met an id another append committed meanwhile (23505).
 * - The stream row: one UPDATE, its WHERE holding the expected version, takes its lock and moves its version
 *   (version 6 locked it with SELECT ... FOR UPDATE, then updated it: two heap writes). When it matches no row, the
 *   stream is missing (its row is inserted with its final version, its first position set once taken) or at another
 *   version: then nothing has been written and the outcome is 'wrong_expected_version' with the current version, a
 *   row rather than an exception (the ids came first, DESIGN §4.3: a re-sent batch is 'deduplicated' whatever its
 *   expected version).
 * - Positions: taken from the store's sequence only once the stream row is locked and the expected version matched,
 *   into an array, so no CTE is needed to return them: a refused append leaves no hole, and a stream's positions
 *   follow its versions even when appends race to create it. They come from a loop of nextval() calls, which
 *   PL/pgSQL evaluates as simple expressions: one query (ARRAY(SELECT nextval(...) FROM generate_series(1, n))) was
 *   planned again on every call, because its generic plan (1000 rows guessed) looks dearer to the planner than a
 *   custom one (about 35 µs a call).
 *
 * Migration 8 replaces the body (`replace`; same arguments, contract and outcomes, so older nodes calling it are
 * served alike) with a single event inserted from VALUES: the unnest INSERT is planned again each call too (backend
 * CPU per insert of one event about 48 against 28 µs).
 */
function APPEND_FUNCTION_7(s: string, replace = false): string {
  const positions = 'FOR i IN 1..n LOOP pos[i] := nextval(seq); END LOOP;';
  // Version 6's per-id analysis, when the probe found a stored id (or p_check asks for it), inside an IF.
  const lookup = idAnalysis(s, 6, '  ');
  // Whether an id of the batch is stored (into hits): one index lookup per id, each by the whole (store, event id)
  // key, so no plan can read the store through another index. A batch of one has a statement of its own, which the
  // planner plans once; the batch statement is planned again each call (its generic plan looks dearer).
  const probe = `
        IF p_check THEN
          hits := 1;
        ELSIF n = 1 THEN
          hits := (SELECT count(*) FROM ${s}.events x WHERE x.store_id = p_store AND x.event_id = p_ids[1]);
        ELSE
          hits := (SELECT count(*) FROM unnest(p_ids) AS t(id) CROSS JOIN LATERAL (SELECT FROM ${s}.events x
                    WHERE x.store_id = p_store AND x.event_id = t.id LIMIT 1) e);
        END IF;`;
  const insertAll = `
        INSERT INTO ${s}.events (store_id, position, stream, version, event_id, event_type, data_content_type,
            metadata_content_type, data, metadata, created, created_epoch)
          SELECT p_store, pos[t.ord], p_stream, cur + t.ord, t.id, t.ty, t.dct, t.mct, t.d, t.m, p_created, p_created_epoch
            FROM unnest(p_ids, p_types, p_dct, p_mct, p_data, p_meta) WITH ORDINALITY AS t(id, ty, dct, mct, d, m, ord);`;
  // Version 8: one event is inserted from VALUES; the unnest query is planned again each call (about 20 µs).
  const insertOne = `
        INSERT INTO ${s}.events (store_id, position, stream, version, event_id, event_type, data_content_type,
            metadata_content_type, data, metadata, created, created_epoch)
          VALUES (p_store, pos[1], p_stream, cur + 1, p_ids[1], p_types[1], p_dct[1], p_mct[1], p_data[1], p_meta[1],
                  p_created, p_created_epoch);`;
  const matches = (v: string) => `(p_expected = -4 OR (p_expected = -3 AND ${v} >= 0) OR ${v} = p_expected)`;
  return `
      CREATE ${replace ? 'OR REPLACE ' : ''}FUNCTION ${s}.esdb_append(p_store int, p_stream text, p_expected bigint, p_ids text[], p_types text[],
        p_dct int[], p_mct int[], p_data text[], p_meta text[], p_created text, p_created_epoch bigint, p_channel text,
        p_payload text, p_notify boolean, p_check boolean)
      RETURNS TABLE (outcome text, version bigint, positions bigint[], event_id text)
      LANGUAGE plpgsql AS $f$
      DECLARE
        n int := cardinality(p_ids);
        seq regclass := (${literal(s)} || '.pos_' || p_store)::regclass;
        hits int; first_hit int; in_order boolean; last_version bigint; cur bigint; first_pos bigint; pos bigint[];
        ok boolean := false;
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(${appendLockKey(s.slice(1, -1))}, p_store); -- for followers at a hole
${probe}
        IF hits > 0 THEN${lookup}
        END IF;
        LOOP
          UPDATE ${s}.streams st SET version = st.version + n
            WHERE st.store_id = p_store AND st.stream = p_stream AND ${matches('st.version')}
            RETURNING st.version - n, st.first_position INTO cur, first_pos;
          ok := FOUND;
          EXIT WHEN ok;
          SELECT st.version INTO cur FROM ${s}.streams st WHERE st.store_id = p_store AND st.stream = p_stream;
          IF FOUND THEN
            EXIT WHEN NOT ${matches('cur')}; -- refused; else it moved to the expected version just now: again
          ELSIF p_expected = -4 OR p_expected = -1 THEN
            -- Positions only once the row is ours: an append that lost this race and took positions first would
            -- put its later versions before the winner's in $all.
            INSERT INTO ${s}.streams (store_id, stream, version, first_position) VALUES (p_store, p_stream, n - 1, -1)
              ON CONFLICT DO NOTHING;
            ok := FOUND;
            IF ok THEN
              cur := -1;
              first_pos := -1;
              EXIT;
            END IF; -- created meanwhile by another append (we waited for its commit): again
          ELSE
            cur := -1;
            EXIT; -- refused
          END IF;
        END LOOP;
        IF NOT ok THEN -- nothing written (the ids came first: a retry's expected version may no longer hold)
          RETURN QUERY SELECT 'wrong_expected_version'::text, cur, NULL::bigint[], NULL::text;
          RETURN;
        END IF;
        ${positions}
        IF first_pos < 0 AND n > 0 THEN -- a new stream (or a row left empty by an older version)
          UPDATE ${s}.streams st SET first_position = pos[1] WHERE st.store_id = p_store AND st.stream = p_stream;
        END IF;${
          replace
            ? `
        IF n = 1 THEN${insertOne}
        ELSE${insertAll}
        END IF;`
            : insertAll
        }
        IF p_notify THEN
          PERFORM pg_notify(p_channel, p_payload);
        END IF;
        RETURN QUERY SELECT 'appended'::text, cur + n, pos, NULL::text;
      END $f$;`;
}

/**
 * How long a group waits for a lock (ms). Groups wait for each other's stream rows only through a commit (about a
 * millisecond here, more when the disk is slow); longer means a row held elsewhere.
 */
const GROUP_LOCK_TIMEOUT_MS = 100;

/**
 * Several appends of one store in one statement and one transaction: a node sends the appends that queued while
 * its previous statement ran (AppendQueue). Each goes through esdb_append 7 in turn, in the order given, with the
 * outcome esdb_append would give it alone, so an append to a stream sees the ones before it in the group. One
 * NOTIFY covers them all. Any error rolls back the whole group; the node then sends its appends one by one (a group
 * never leaves part of itself written).
 *
 * A stream row another transaction holds must not hold up the group's other appends (and the node's next groups)
 * for long: the group waits at most GROUP_LOCK_TIMEOUT_MS for any lock, then fails (55P03) and the node sends its
 * appends one by one, where only the one to the held stream waits (up to the adapter's lock_timeout).
 *
 * p_counts says how many events of the flat arrays each append holds. The node orders a group by stream (appends
 * to one stream keep their order): two groups then lock stream rows in the same order and do not deadlock over
 * them. (Two groups writing one event id to two streams can still wait for each other; the lock timeout ends that.)
 */
function APPEND_MANY_FUNCTION(s: string): string {
  const slice = (a: string) => `${a}[at:at + n - 1]`;
  return `
      CREATE FUNCTION ${s}.esdb_append_many(p_store int, p_streams text[], p_expected bigint[], p_counts int[],
        p_ids text[], p_types text[], p_dct int[], p_mct int[], p_data text[], p_meta text[], p_created text[],
        p_created_epoch bigint[], p_channel text, p_payload text, p_notify boolean, p_check boolean)
      RETURNS TABLE (outcome text, version bigint, positions bigint[], event_id text)
      LANGUAGE plpgsql SET lock_timeout = '${GROUP_LOCK_TIMEOUT_MS}ms' AS $f$
      DECLARE
        at int := 1; n int; r record;
      BEGIN
        FOR k IN 1..cardinality(p_streams) LOOP
          n := p_counts[k];
          SELECT * INTO r FROM ${s}.esdb_append(p_store, p_streams[k], p_expected[k], ${slice('p_ids')},
            ${slice('p_types')}, ${slice('p_dct')}, ${slice('p_mct')}, ${slice('p_data')}, ${slice('p_meta')},
            p_created[k], p_created_epoch[k], p_channel, p_payload, false, p_check);
          outcome := r.outcome; version := r.version; positions := r.positions; event_id := r.event_id;
          RETURN NEXT;
          at := at + n;
        END LOOP;
        IF p_notify THEN
          PERFORM pg_notify(p_channel, p_payload);
        END IF;
      END $f$;`;
}

/** Latest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Schema names we accept: plain identifiers, short enough to fit in a NOTIFY channel name (63 bytes). */
export const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,40}$/;

/** 32-bit FNV-1a of a string as a signed int4, for advisory-lock keys derived from the schema name. */
export function lockKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** First key of the migration advisory lock ("ESDB"); the second is lockKey(schema). */
const MIGRATION_LOCK = 0x45534442;

/**
 * Creates the schema and applies missing migrations in one transaction. Several nodes may start together on a
 * fresh database: the advisory lock makes them take turns, and the later ones find everything applied.
 * Returns the number of migrations applied.
 */
export async function migrate(client: ClientBase, schema: string): Promise<number> {
  const s = `"${schema}"`;
  // Fast path for the common case (already migrated): one round trip, no lock.
  try {
    const r = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${s}.schema_migrations`);
    if ((r.rows[0]?.v ?? 0) >= SCHEMA_VERSION) return 0;
  } catch (e) {
    if ((e as { code?: string }).code !== '42P01' && (e as { code?: string }).code !== '3F000') throw e; // table/schema missing
  }
  await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${MIGRATION_LOCK}, ${lockKey(schema)})`);
  try {
    await client.query(
      `CREATE SCHEMA IF NOT EXISTS ${s};
       CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
         version int PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`)).rows.map(
        (r) => r.version,
      ),
    );
    let applied = 0;
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.up(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version, description) VALUES ($1, $2)`, [
        m.version,
        m.description,
      ]);
      applied++;
    }
    await client.query('COMMIT');
    return applied;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

// ---- Connection helpers of the PostgreSQL adapter ----

// bigint columns (positions, versions, µs timestamps) as numbers, for this pool only (pg's default is strings).
const INT8_OID = 20;
export const INT8_AS_NUMBER = {
  getTypeParser: ((oid: number, format?: 'text') =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};
/** A driver error's code: a SQLSTATE, or a Node network code such as ECONNREFUSED. */
export const errCode = (e: unknown): string => String((e as { code?: unknown } | null)?.code ?? '');
const isNetworkCode = (code: string) => /^E[A-Z]+$/.test(code);
/** Whether an error means the connection (not the statement) failed. */
export const isConnectionError = (e: unknown): boolean => {
  const code = errCode(e);
  return (
    isNetworkCode(code) ||
    code.startsWith('08') || // SQLSTATE class 08: connection exception
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' || // shutting down / cannot connect now
    /Connection terminated|timeout expired|Client has encountered a connection error|not queryable/i.test(oneLine(e))
  );
};

/** The one-line error for a database that cannot be reached or opened, naming the target and what to do. */
export function postgresReachError(target: string, e: unknown): GaterError {
  if (e instanceof GaterError) return e;
  const code = errCode(e);
  const reason = isNetworkCode(code) ? code : oneLine(e);
  const hint =
    isNetworkCode(code) || /timeout/i.test(reason)
      ? 'Is the server running?'
      : code === '28P01' || code === '28000'
        ? 'Check the user and password.'
        : code === '3D000'
          ? 'Create the database or fix the URL.'
          : 'Check the URL and the server.';
  return new GaterError(
    'connection_closed',
    `cannot reach PostgreSQL at ${target}: ${reason}. ${hint}`,
    { reason },
    { cause: e },
  );
}

/** Splits the `?schema=` parameter off a URL (pg would not understand it). */
export function splitSchema(url: string): { url: string; schema?: string } {
  try {
    const u = new URL(url);
    const schema = u.searchParams.get('schema');
    if (schema === null) return { url };
    u.searchParams.delete('schema');
    return { url: u.toString(), schema };
  } catch {
    return { url };
  }
}
