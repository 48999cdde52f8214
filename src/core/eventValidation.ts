import { GaterError, invalidArgument } from './errors.js';
import { newId } from './ids.js';
import type { EventRecord, NewEvent } from './types.js';
import { checkJson, describeValue, validateTextId } from './validation.js';
import { DEFAULT_MAX_FRAME_BYTES } from './wire/frame.js';

/**
 * The one validation of an append batch (DESIGN §4.3), run by the gateway before anything is sent (embedded, TCP
 * or BEAM alike) and again by a store node on every batch it did not get from a gateway of its own process (one
 * off a frame, or made by any other code). A batch that passes here is stored exactly as given.
 */

/** An event ready to be written: validated, its JSON values private frozen copies, its id assigned. */
export type ValidatedEvent = Pick<
  EventRecord,
  'eventId' | 'eventType' | 'dataContentType' | 'metadataContentType' | 'data' | 'metadata'
>;

/** Longest event type and event id (UTF-16 units). */
export const MAX_EVENT_TYPE_LENGTH = 512;
export const MAX_EVENT_ID_LENGTH = 256;

/**
 * Room a record needs around its data and metadata in a push or read-reply frame: its stream id, event id, type,
 * timestamps and the frame's own envelope. An event's data plus metadata may use the rest of a frame.
 */
const RECORD_ENVELOPE_BYTES = 64 * 1024;

/** Largest JSON size of one event's data plus metadata: what still fits one frame as a record (DESIGN §4.3). */
export const MAX_EVENT_BYTES = DEFAULT_MAX_FRAME_BYTES - RECORD_ENVELOPE_BYTES;

export interface ValidateEventsOptions {
  /** Make frozen private copies of data and metadata (default true); false for input that already is one. */
  copy?: boolean;
}

/**
 * Batches made by eventsToSend in this process. Each is frozen all the way down (array, events, data, metadata) and
 * was checked when it was made, so nothing in it can have changed since: a store node in the same process takes
 * one without walking it again. Only validateBatch adds to this set; a batch parsed from a frame is never in it.
 */
const checkedBatches = new WeakSet<readonly NewEvent[]>();

/**
 * Validates a batch and returns the events to write, with missing ids assigned. Nothing is accepted if any event is
 * bad: the error names the event (`events[i]`) and what to change.
 */
export function validateEvents(events: unknown, options: ValidateEventsOptions = {}): ValidatedEvent[] {
  if (Array.isArray(events) && checkedBatches.has(events)) return (events as readonly NewEvent[]).map(fromChecked);
  return validateBatch(events, options.copy !== false, asValidated);
}

/**
 * The gateway's validation (the same checks, before anything is sent): each event with its assigned id when it had
 * none, its data and metadata frozen private copies, so what is sent (after waiting for a worker, or again on
 * failover) is what was checked, whatever the caller does with its objects meanwhile. A field left out stays out (a
 * BEAM node applies its own defaults).
 */
export function eventsToSend(events: unknown): readonly NewEvent[] {
  const out = Object.freeze(validateBatch(events, true, asSent));
  checkedBatches.add(out);
  return out;
}

/** Makes one output event from a checked input event and its checked fields. */
type Build<T> = (
  ev: Record<string, unknown>,
  eventId: string,
  eventType: string,
  data: unknown,
  metadata: unknown,
  dataContentType: number,
  metadataContentType: number,
) => T;

const asValidated: Build<ValidatedEvent> = (_ev, eventId, eventType, data, metadata, dct, mct) => ({
  eventId,
  eventType,
  dataContentType: dct,
  metadataContentType: mct,
  data,
  metadata,
});

/**
 * The event to send: its id and checked copies, the fields the caller left out still left out. Built field by
 * field: an object spread with an added key took microseconds per event on V8's slow path.
 */
const asSent: Build<NewEvent> = (ev, eventId, eventType, data, metadata, dct, mct) => {
  const out: NewEvent = { eventId, eventType, data };
  if (ev.metadata !== undefined) out.metadata = metadata as NewEvent['metadata'];
  if (ev.dataContentType !== undefined) out.dataContentType = dct;
  if (ev.metadataContentType !== undefined) out.metadataContentType = mct;
  return Object.freeze(out);
};

/** A checked event with the defaults validateBatch gives a field left out. */
const fromChecked = (e: NewEvent): ValidatedEvent => ({
  eventId: e.eventId!,
  eventType: e.eventType,
  dataContentType: e.dataContentType ?? 0,
  metadataContentType: e.metadataContentType ?? 0,
  data: e.data,
  metadata: e.metadata ?? null,
});

/**
 * The one loop behind both: error texts are built only on failure, since this runs for every event of every append
 * (on the gateway, and again on a node that gets the batch from a frame).
 */
function validateBatch<T extends { eventId?: string }>(events: unknown, copy: boolean, build: Build<T>): T[] {
  if (!Array.isArray(events))
    throw invalidArgument(`events must be an array of {eventType, data, ...}, got ${describeValue(events)}`);
  const out = new Array<T>(events.length);
  // Ids that arrive in strictly increasing order are distinct without hashing them (the gateway's fresh ids are
  // monotonic ULIDs); from the first id out of order on, a set checks the rest.
  let ids: Set<string> | undefined;
  let prevId = '';
  const size = { bytes: 0 };
  for (let i = 0; i < events.length; i++) {
    const e: unknown = events[i];
    if (!e || typeof e !== 'object' || Array.isArray(e))
      throw invalidArgument(`events[${i}] must be an object {eventType, data, ...}`);
    const ev = e as Record<string, unknown>;
    const field = (name: string) => () => `events[${i}].${name}`;
    const eventType = validateTextId(
      ev.eventType,
      field('eventType'),
      MAX_EVENT_TYPE_LENGTH,
      'temperature_measured:v1',
    );
    if (ev.data === undefined) throw invalidArgument(`events[${i}].data is missing; pass a JSON value (e.g. {})`);
    const eventId =
      ev.eventId === undefined ? newId() : validateTextId(ev.eventId, field('eventId'), MAX_EVENT_ID_LENGTH);
    if (ids === undefined && eventId <= prevId) ids = new Set(out.slice(0, i).map((v) => v.eventId!));
    if (ids !== undefined) {
      if (ids.has(eventId))
        throw invalidArgument(`events[${i}].eventId "${eventId}" appears twice in one batch; event ids must be unique`);
      ids.add(eventId);
    }
    prevId = eventId;
    size.bytes = 0;
    const data = checkJson(ev.data, field('data'), copy, size);
    let metadata: unknown = null;
    if (ev.metadata !== undefined && ev.metadata !== null) {
      if (typeof ev.metadata !== 'object' || Array.isArray(ev.metadata))
        throw invalidArgument(
          `events[${i}].metadata must be a JSON object (e.g. {"causationId":"c1"}), got ${describeValue(ev.metadata)}`,
        );
      metadata = checkJson(ev.metadata, field('metadata'), copy, size);
    } else size.bytes += 5;
    const bytes = bytesOverLimit(size.bytes, data, metadata);
    if (bytes !== undefined)
      throw new GaterError(
        'payload_too_large',
        `events[${i}] is ${bytes} bytes of JSON, more than the ${MAX_EVENT_BYTES} one event may hold (it must fit one ${DEFAULT_MAX_FRAME_BYTES}-byte frame); store large blobs elsewhere and append a reference`,
        { index: i, bytes, maxEventBytes: MAX_EVENT_BYTES },
      );
    out[i] = build(
      ev,
      eventId,
      eventType,
      data,
      metadata,
      contentType(ev.dataContentType, field('dataContentType')),
      contentType(ev.metadataContentType, field('metadataContentType')),
    );
  }
  return out;
}

/** Content types are small non-negative integers (stored as a 32-bit column). */
function contentType(v: unknown, what: () => string): number {
  if (v === undefined) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x7fff_ffff) return v;
  throw invalidArgument(`${what()} must be an integer from 0 to 2147483647 when given, got ${describeValue(v)}`);
}

/**
 * The exact UTF-8 JSON size of `values` when it is over MAX_EVENT_BYTES (what one event's data and metadata, or one
 * snapshot record, may hold: it must fit one frame as a record), undefined when it fits. `estimate` is the cheap
 * upper bound the validating walk added up (every string character escaped to 6 bytes, every number 24): the values
 * are encoded to measure them only when it is over the limit.
 */
function bytesOverLimit(estimate: number, ...values: unknown[]): number | undefined {
  if (estimate <= MAX_EVENT_BYTES) return undefined;
  // A value with no JSON form counts as `null`.
  const bytes = values.reduce<number>((n, v) => n + Buffer.byteLength(JSON.stringify(v) ?? 'null'), 0);
  return bytes > MAX_EVENT_BYTES ? bytes : undefined;
}

/**
 * A snapshot's record: plain JSON, returned as a frozen private copy (or, with `copy: false`, checked only),
 * refused when it could not be read back in one frame (the same limit as one event's data and metadata). Refused
 * when it is recorded, not later when a read of it over TCP could never succeed.
 */
export function validateSnapshotRecord(record: unknown, options: ValidateEventsOptions = {}): unknown {
  const size = { bytes: 0 };
  const checked = checkJson(record, 'snapshot record', options.copy !== false, size);
  const bytes = bytesOverLimit(size.bytes, checked);
  if (bytes === undefined) return checked;
  throw new GaterError(
    'payload_too_large',
    `the snapshot record is ${bytes} bytes of JSON, more than the ${MAX_EVENT_BYTES} one snapshot may hold (it must fit one ${DEFAULT_MAX_FRAME_BYTES}-byte frame); keep large state elsewhere and snapshot a reference to it`,
    { bytes, maxEventBytes: MAX_EVENT_BYTES },
  );
}
