/**
 * Helpers shared by the SQLite and PostgreSQL adapters: JSON columns, row mapping and the aliased column lists.
 * Loads no driver, so either adapter can use it without loading the other's.
 */
import type { EventRecord, SnapshotRecord } from '../../core/types.js';
import type { StoredSubscription } from './storageAdapter.js';

/** JSON text of a value; `undefined` is stored as NULL and read back as `undefined`. */
export const toJson = (v: unknown): string | null => JSON.stringify(v) ?? null;
export const fromJson = (t: unknown): unknown => (t === null || t === undefined ? undefined : JSON.parse(t as string));

/** A database row as the SQL adapters read it. */
export type Row = Record<string, unknown>;
/** Row helpers shared with the PostgreSQL adapter (same aliased column lists). */
export const rowTo = {
  // Field by field, not `{ ...r, data }`: a spread whose keys are then overwritten is V8's slow path, paid per row
  // on every read and catch-up.
  record: (r: Row): EventRecord => ({
    eventStreamId: r.eventStreamId as string,
    eventNumber: r.eventNumber as number,
    eventId: r.eventId as string,
    eventType: r.eventType as string,
    dataContentType: r.dataContentType as number,
    metadataContentType: r.metadataContentType as number,
    data: fromJson(r.data),
    metadata: fromJson(r.metadata),
    created: r.created as string,
    createdEpoch: r.createdEpoch as number,
    position: r.position as number,
  }),
  subscription: (r: Row) => ({ ...r, selector: JSON.parse(r.selector as string) }) as StoredSubscription,
  snapshot: (r: Row) => ({ ...r, record: fromJson(r.record) }) as SnapshotRecord,
};

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
