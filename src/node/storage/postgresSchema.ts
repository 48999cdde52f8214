import pg, { type ClientBase } from 'pg';
import { GaterError } from '../../core/errors.js';
import { oneLine } from './index.js';

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
];

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
