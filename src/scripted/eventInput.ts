import type { NewEvent } from '../core/index.js';

/** A malformed event file or stdin; the CLI maps it to exit 2. */
export class EventInputError extends Error {
  override readonly name = 'EventInputError';
}

/**
 * Events from a JSON array, a single JSON object, or NDJSON (one object per line; blank lines and `#` comments
 * skipped). Each object needs `eventType` (or `event_type` / `type`) and may carry `data`, `metadata`,
 * `eventId` (`event_id`), `dataContentType`, `metadataContentType`.
 */
export function parseEventsText(text: string, source: string): NewEvent[] {
  const trimmed = text.trim();
  if (!trimmed) throw new EventInputError(`${source} holds no events; give a JSON array or one JSON object per line`);
  let items: unknown[];
  if (trimmed.startsWith('[')) {
    try {
      items = JSON.parse(trimmed) as unknown[];
    } catch (e) {
      throw new EventInputError(`${source} is not a valid JSON array: ${(e as Error).message}`);
    }
  } else {
    items = [];
    const lines = trimmed.split(/\r?\n/);
    // A single pretty-printed object spans lines: try the whole text first.
    try {
      items = [JSON.parse(trimmed)];
    } catch {
      lines.forEach((line, i) => {
        const l = line.trim();
        if (!l || l.startsWith('#')) return;
        try {
          items.push(JSON.parse(l));
        } catch (e) {
          throw new EventInputError(`${source} line ${i + 1} is not JSON: ${(e as Error).message}`);
        }
      });
    }
  }
  return items.map((item, i) => toNewEvent(item, `${source} event ${i + 1}`));
}

export function toNewEvent(item: unknown, where: string): NewEvent {
  if (!item || typeof item !== 'object' || Array.isArray(item))
    throw new EventInputError(`${where} must be a JSON object with an eventType`);
  const o = item as Record<string, unknown>;
  const eventType = o.eventType ?? o.event_type ?? o.type;
  if (typeof eventType !== 'string' || !eventType)
    throw new EventInputError(`${where} needs "eventType" (a non-empty string)`);
  const ev: NewEvent = { eventType, data: o.data === undefined ? {} : o.data };
  if (o.metadata !== undefined) ev.metadata = o.metadata;
  const id = o.eventId ?? o.event_id;
  if (id !== undefined) {
    if (typeof id !== 'string' || !id) throw new EventInputError(`${where}: eventId must be a non-empty string`);
    ev.eventId = id;
  }
  const dct = o.dataContentType ?? o.data_content_type;
  const mct = o.metadataContentType ?? o.metadata_content_type;
  if (typeof dct === 'number') ev.dataContentType = dct;
  if (typeof mct === 'number') ev.metadataContentType = mct;
  return ev;
}

/** Reads all of a stream (stdin) as UTF-8. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
