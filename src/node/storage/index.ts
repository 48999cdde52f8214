import { GaterError } from '../../core/errors.js';
import type { EventRecord, SnapshotRecord } from '../../core/types.js';
import { MemoryStorage } from './memory.js';
import type { StorageAdapter, StoredSubscription } from './storageAdapter.js';
import { parseStorageSpec } from '../../core/storageSpec.js';
import type * as SqliteModule from './sqlite.js';
import type * as PostgresModule from './postgres.js';

export type { AppendOutcome, PreparedEvent, StorageAdapter, StoredSubscription } from './storageAdapter.js';
export { MemoryStorage } from './memory.js';
export { describeStorage, parseStorageSpec, type SqliteSynchronous, type StorageSpec } from '../../core/storageSpec.js';

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
      let mod: typeof SqliteModule;
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
      let mod: typeof PostgresModule;
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
