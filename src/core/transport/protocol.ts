/**
 * Message shapes exchanged after the handshake (DESIGN §5). The field names are a wire contract between
 * versions: append-only, never rename one.
 *
 *   request  {id, op, args, split?: true}
 *   reply    {id, ok: true, value}  |  {id, error: {code, message, details}}
 *            a list value too large for one frame, to a request with `split`: {id, ok: true, part: [...]} frames,
 *            then {id, ok: true, value: [...]}; the client joins them in order (a client without `split` gets
 *            `payload_too_large` as before)
 *   push     {sub, events}  (a list of events too large for one frame goes as several pushes, in order)
 *   update   {update: {stores, workers, storages}}
 *   fatal    {error: {code, message}}   (no id: the sender is closing the connection)
 */

/** A request id: the client's counter, or any short string another client may prefer. */
export type RequestId = number | string;

/** Smallest `maxFrameBytes` either side accepts: below it even the handshake would not fit. */
export const MIN_FRAME_BYTES = 256;

/** Longest string request id a server accepts. */
export const MAX_STRING_ID_LENGTH = 128;

/**
 * Answered by the server itself: the node's own security counters (refused handshakes, rate-limited and
 * tampered connections, dropped gossip packets by reason), so a gateway can show them per node in status.
 */
export const COUNTERS_OP = '$counters';

/** What a store node tells its peers about itself, in the welcome and whenever it changes. */
export interface RegistryUpdate {
  stores: string[];
  workers: unknown[];
  /** `{store: {kind, id}}`: the storage identity per store (DESIGN §8); checked by the link that reads it. */
  storages?: unknown;
}

export function isRequestId(x: unknown): x is RequestId {
  return (
    (typeof x === 'number' && Number.isSafeInteger(x)) ||
    (typeof x === 'string' && x.length > 0 && x.length <= MAX_STRING_ID_LENGTH)
  );
}

/** The object of a frame, or undefined for arrays, primitives and null. */
export function asRecord(x: unknown): Record<string, unknown> | undefined {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}

/** Whether x is `{stores: string[], workers: unknown[]}`. */
export function isRegistryUpdate(x: unknown): x is RegistryUpdate {
  const u = asRecord(x);
  return !!u && Array.isArray(u.stores) && u.stores.every((s) => typeof s === 'string') && Array.isArray(u.workers);
}
