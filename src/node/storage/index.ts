import { GaterError } from '../../core/errors.js';
import type { EventRecord, SnapshotRecord } from '../../core/types.js';
import { MemoryStorage } from './memory.js';
import type { StorageAdapter, StoredSubscription } from './storageAdapter.js';

export type { AppendOutcome, PreparedEvent, StorageAdapter, StoredSubscription } from './storageAdapter.js';
export { MemoryStorage } from './memory.js';

/** A storage spec taken apart: `memory`, `sqlite:<file>` or a PostgreSQL URL. */
export type StorageSpec =
  | { kind: 'memory' }
  | { kind: 'sqlite'; file: string; synchronous?: SqliteSynchronous }
  | { kind: 'postgres'; url: string };

/** SQLite's `synchronous` pragma as the spec may set it (`?synchronous=full`); `normal` is the default. */
export type SqliteSynchronous = 'normal' | 'full';

const USAGE = 'use memory, sqlite:<file> or postgres://user@host:5432/db';

/** Parses a storage spec (the `--storage` flag / EX_ESDB_STORAGE). Throws `invalid_argument` for anything else. */
export function parseStorageSpec(spec: string): StorageSpec {
  const s = spec.trim();
  if (s === '' || s.toLowerCase() === 'memory') return { kind: 'memory' };
  if (/^sqlite:/i.test(s)) {
    // `sqlite:///abs/file.db` is a common spelling of `sqlite:/abs/file.db`.
    let file = s.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    let synchronous: SqliteSynchronous | undefined;
    const query = /\?([a-z_]+=[^?]*)$/i.exec(file);
    if (query) {
      file = file.slice(0, query.index);
      for (const pair of query[1]!.split('&')) {
        const [key, value = ''] = pair.split('=');
        if (key?.toLowerCase() !== 'synchronous' || !/^(normal|full)$/i.test(value))
          throw new GaterError(
            'invalid_argument',
            `invalid storage "${s}": the one sqlite option is ?synchronous=normal (default) or ?synchronous=full`,
          );
        synchronous = value.toLowerCase() as SqliteSynchronous;
      }
    }
    if (file === '')
      throw new GaterError('invalid_argument', `invalid storage "${s}": give a file path, e.g. sqlite:./data/store.db`);
    return synchronous ? { kind: 'sqlite', file, synchronous } : { kind: 'sqlite', file };
  }
  if (/^postgres(ql)?:\/\//i.test(s)) return { kind: 'postgres', url: s };
  throw new GaterError('invalid_argument', `invalid storage "${describeStorage(s)}": ${USAGE}`);
}

/**
 * A display form of a storage spec for logs, status and errors: the password of a PostgreSQL URL (in the user
 * info or a `password=` parameter) is replaced by `***`.
 */
export function describeStorage(spec: string): string {
  const s = spec.trim();
  if (s === '' || s.toLowerCase() === 'memory') return 'memory';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return s;
  try {
    const u = new URL(s);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    // Not a URL the WHATWG parser accepts (e.g. an unencoded '@' in the password): mask by pattern instead.
    return s.replace(/^([^:]+:\/\/[^:/@]*):[^@]*@/, '$1:***@').replace(/([?&]password=)[^&]*/i, '$1***');
  }
}

/**
 * Opens the storage a spec names: `memory`, `sqlite:<file>` (created when missing) or `postgres://...`
 * (`postgresql://` too; `?schema=name` picks the schema, default `public`; created with its tables on first use).
 * The drivers load on demand, so memory mode never loads better-sqlite3 or pg. Failures are one-line GaterErrors
 * naming the target and what to do: `invalid_argument` for a bad spec, `connection_closed` for a target that
 * cannot be opened or reached.
 */
export async function createStorage(spec: string): Promise<StorageAdapter> {
  const parsed = parseStorageSpec(spec);
  switch (parsed.kind) {
    case 'memory':
      return new MemoryStorage();
    case 'sqlite': {
      let mod: typeof import('./sqlite.js');
      try {
        mod = await import('./sqlite.js');
      } catch (e) {
        throw new GaterError(
          'connection_closed',
          'better-sqlite3 is not installed or not built for this Node: run npm rebuild better-sqlite3',
          {},
          { cause: e },
        );
      }
      return mod.SqliteStorage.open(parsed.file, parsed.synchronous ? { synchronous: parsed.synchronous } : {});
    }
    case 'postgres': {
      let mod: typeof import('./postgres.js');
      try {
        mod = await import('./postgres.js');
      } catch (e) {
        throw new GaterError('connection_closed', 'pg is not installed: run npm install pg', {}, { cause: e });
      }
      return mod.PostgresStorage.open(parsed.url);
    }
  }
}

// ---- Helpers shared by the SQLite and PostgreSQL adapters (kept here: this module loads no driver). ----

/** JSON text of a value; `undefined` is stored as NULL and read back as `undefined`. */
export const toJson = (v: unknown): string | null => JSON.stringify(v) ?? null;
export const fromJson = (t: unknown): unknown => (t === null || t === undefined ? undefined : JSON.parse(t as string));

/** A database row as the SQL adapters read it. */
export type Row = Record<string, unknown>;
/** Row helpers shared with the PostgreSQL adapter (same aliased column lists). */
export const rowTo = {
  record: (r: Row) => ({ ...r, data: fromJson(r.data), metadata: fromJson(r.metadata) }) as EventRecord,
  subscription: (r: Row) => ({ ...r, selector: JSON.parse(r.selector as string) }) as StoredSubscription,
  snapshot: (r: Row) => ({ ...r, record: fromJson(r.record) }) as SnapshotRecord,
};

export { buildRecords, compareSnapshots } from './storageAdapter.js';

/** An error's message on one line, without a final period (messages add their own "what to do"). */
export const oneLine = (e: unknown): string =>
  (e instanceof Error ? e.message || e.name : String(e)).replace(/\s+/g, ' ').trim().replace(/\.$/, '');

// Column lists aliased (quoted: PostgreSQL folds bare aliases to lower case) to the record field names, in the
// records' key order, so a row needs little mapping.
export const EVENT_FIELDS = `stream AS "eventStreamId", version AS "eventNumber", event_id AS "eventId", event_type AS "eventType",
  data_content_type AS "dataContentType", metadata_content_type AS "metadataContentType", data, metadata, created,
  created_epoch AS "createdEpoch", position`;
export const SUB_FIELDS = `key, type, selector, name, start_from AS "startFrom", checkpoint, ack_timeout_ms AS "ackTimeoutMs",
  max_retries AS "maxRetries"`;
export const PARKED_FIELDS = `subscription, position, event_id AS "eventId", event_stream_id AS "eventStreamId",
  event_number AS "eventNumber", reason, retries, parked_at AS "parkedAt"`;
export const SNAPSHOT_FIELDS = 'source_uuid AS "sourceUuid", stream_uuid AS "streamUuid", version, record, created';
