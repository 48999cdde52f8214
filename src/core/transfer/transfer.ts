import type { GaterApi } from '../api/gaterApi.js';
import { GaterError } from '../errors.js';
import type { EventRecord } from '../types.js';
import type { ImportedEvent } from './format.js';

/** What an export reads: a stream (versions) or `$all` (global positions). */
export interface ExportSource {
  store: string;
  /** A stream id, or `$all`. */
  source: string;
  /** First version (stream) or position (`$all`), default 0. */
  from?: number;
  /** Last version or position, inclusive (default: the end as it is when the export starts). */
  to?: number;
}

/**
 * The events an export writes, in order, with the total expected (for a progress bar): a stream page by page
 * by version, or `$all` by global position. The end is fixed when it starts, so a live store does not make an
 * export run forever.
 */
export async function openExport(
  api: GaterApi,
  s: ExportSource,
): Promise<{ total: number; events: AsyncIterable<EventRecord> }> {
  const from = s.from ?? 0;
  if (s.source === '$all') {
    // A store without a global order (ExESDB over the BEAM bridge) reports no head and would export nothing:
    // one read of the first page makes it say so instead.
    await api.readAll(s.store, from, 1);
    const head = await api.getHeadPosition(s.store);
    const to = Math.min(s.to ?? head, head);
    return { total: Math.max(0, to - from + 1), events: api.streamAll(s.store, from, to) };
  }
  const version = await api.getVersion(s.store, s.source);
  const to = Math.min(s.to ?? version, version);
  const total = Math.max(0, to - from + 1);
  return { total, events: total === 0 ? (async function* () {})() : api.streamForward(s.store, s.source, from, total) };
}

export interface ImportResult {
  /** Events appended. */
  imported: number;
  /** Events whose id was already in their stream (a re-import): nothing written for them. */
  skipped: number;
  /** Streams touched. */
  streams: number;
}

const IMPORT_BATCH = 500;

/**
 * Re-appends exported events with their ids, in file order, batching consecutive events of one stream. An event
 * whose id is already in its stream is skipped, so importing the same export twice writes it once. Appends use
 * expected version `any`: an import adds to what the streams hold.
 */
export async function importEvents(
  api: GaterApi,
  store: string,
  events: AsyncIterable<ImportedEvent>,
  onProgress: (done: number) => void = () => {},
): Promise<ImportResult> {
  const known = new Map<string, Set<string>>();
  const result: ImportResult = { imported: 0, skipped: 0, streams: 0 };
  let batch: ImportedEvent[] = [];
  const idsOf = async (stream: string): Promise<Set<string>> => {
    let ids = known.get(stream);
    if (!ids) {
      ids = new Set();
      // One read of the stream's ids per import: a re-import is recognised without a lookup per event.
      for await (const e of api.streamForward(store, stream, 0, Number.MAX_SAFE_INTEGER)) ids.add(e.eventId);
      known.set(stream, ids);
      result.streams++;
    }
    return ids;
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const stream = batch[0]!.streamId;
    const ids = await idsOf(stream);
    const fresh = batch.filter((b) => !ids.has(b.event.eventId));
    result.skipped += batch.length - fresh.length;
    if (fresh.length > 0) {
      try {
        await api.appendEvents(
          store,
          stream,
          fresh.map((b) => b.event),
        );
      } catch (e) {
        if (e instanceof GaterError)
          throw new GaterError(e.code, `importing into ${stream}: ${e.message}`, { ...e.details, stream });
        throw e;
      }
      for (const b of fresh) ids.add(b.event.eventId);
      result.imported += fresh.length;
    }
    batch = [];
    onProgress(result.imported + result.skipped);
  };
  for await (const e of events) {
    if (batch.length >= IMPORT_BATCH || (batch.length > 0 && batch[0]!.streamId !== e.streamId)) await flush();
    batch.push(e);
  }
  await flush();
  return result;
}
