/**
 * Our records <-> ExESDB's terms (BEAM_BRIDGE.md §1.4): NewEvent -> `%ExESDB.Schema.NewEvent{}`,
 * `%ExESDB.Schema.EventRecord{}` -> EventRecord (0-based versions, `created` from the DateTime struct), and the
 * JSON values we carry as data/metadata <-> Erlang terms (objects as maps with binary keys, as Jason decodes).
 */
import { GaterError } from '../errors.js';
import type { EventRecord, NewEvent } from '../types.js';
import {
  Atom,
  ImproperList,
  OpaqueTerm,
  Pid,
  Reference,
  TermMap,
  Tuple,
  atom,
  termMap,
  type Term,
} from '../wire/etf.js';
import { termText } from './termText.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A JSON value as an Erlang term: strings are binaries, null is `nil`, objects are maps with binary keys. */
export function jsonToTerm(v: unknown, depth = 0): Term {
  if (depth > 100) throw new GaterError('invalid_argument', 'value nested deeper than 100 levels');
  if (v === null || v === undefined) return atom('nil');
  if (typeof v === 'boolean') return atom(v ? 'true' : 'false');
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new GaterError('invalid_argument', `Erlang has no number ${v}`);
    return v;
  }
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (Array.isArray(v)) return v.map((x) => jsonToTerm(x, depth + 1));
  if (typeof v === 'object')
    return termMap(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [Buffer.from(k), jsonToTerm(x, depth + 1)]),
    );
  throw new GaterError('invalid_argument', `cannot send a ${typeof v} to a BEAM node`);
}

/**
 * An Erlang term as a JSON value: binaries that are UTF-8 become strings (others `{ $binary: base64 }`), `nil`
 * null, true/false booleans, other atoms their name, tuples arrays, maps objects (keys rendered as text),
 * DateTime structs ISO-8601 strings, pids/refs/funs/ports their printed form, bignums strings.
 */
export function termToJson(t: Term, depth = 0): unknown {
  if (depth > 100) return '…';
  if (typeof t === 'number') return t;
  if (typeof t === 'bigint') return t.toString();
  if (t instanceof Atom) {
    if (t.name === 'nil' || t.name === 'undefined') return null;
    if (t.name === 'true') return true;
    if (t.name === 'false') return false;
    return t.name;
  }
  if (t instanceof Uint8Array) {
    try {
      return utf8.decode(t);
    } catch {
      return { $binary: Buffer.from(t).toString('base64') };
    }
  }
  if (t instanceof Tuple) return t.elements.map((e) => termToJson(e, depth + 1));
  if (t instanceof TermMap) {
    const iso = dateTimeToIso(t);
    if (iso !== undefined) return iso;
    const out: Record<string, unknown> = {};
    for (const [k, v] of t.entries) {
      const key = k instanceof Uint8Array ? String(termToJson(k)) : k instanceof Atom ? k.name : termText(k);
      out[key] = termToJson(v, depth + 1);
    }
    return out;
  }
  if (t instanceof Pid || t instanceof Reference || t instanceof OpaqueTerm) return t.toString();
  if (t instanceof ImproperList)
    return [...t.elements.map((e) => termToJson(e, depth + 1)), termToJson(t.tail, depth + 1)];
  return (t as readonly Term[]).map((e) => termToJson(e, depth + 1));
}

/** A map's value under an atom key. */
export function field(m: Term | undefined, key: string): Term | undefined {
  return m instanceof TermMap ? m.get(atom(key)) : undefined;
}

function structName(m: Term | undefined): string | undefined {
  const s = field(m, '__struct__');
  return s instanceof Atom ? s.name : undefined;
}

/** Elixir `%DateTime{}` -> ISO-8601 UTC with microseconds, or undefined when `m` is not one. */
export function dateTimeToIso(m: Term | undefined): string | undefined {
  if (structName(m) !== 'Elixir.DateTime') return undefined;
  const n = (k: string): number => {
    const v = field(m, k);
    return typeof v === 'number' ? v : 0;
  };
  const micro = field(m, 'microsecond');
  const us = micro instanceof Tuple && typeof micro.elements[0] === 'number' ? micro.elements[0] : 0;
  const offset = n('utc_offset') + n('std_offset');
  const ms = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - offset * 1000;
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${String(us).padStart(6, '0')}Z`);
}

/** Elixir `%DateTime{}` in UTC for an instant given in microseconds since the epoch. */
export function isoDateTime(epochMicros: number): TermMap {
  const d = new Date(Math.floor(epochMicros / 1000));
  return termMap([
    [atom('__struct__'), atom('Elixir.DateTime')],
    [atom('calendar'), atom('Elixir.Calendar.ISO')],
    [atom('year'), d.getUTCFullYear()],
    [atom('month'), d.getUTCMonth() + 1],
    [atom('day'), d.getUTCDate()],
    [atom('hour'), d.getUTCHours()],
    [atom('minute'), d.getUTCMinutes()],
    [atom('second'), d.getUTCSeconds()],
    [atom('microsecond'), new Tuple([((epochMicros % 1_000_000) + 1_000_000) % 1_000_000, 6])],
    [atom('time_zone'), Buffer.from('Etc/UTC')],
    [atom('zone_abbr'), Buffer.from('UTC')],
    [atom('utc_offset'), 0],
    [atom('std_offset'), 0],
  ]);
}

/** Our NewEvent (id already assigned) -> `%ExESDB.Schema.NewEvent{}`. JSON data is content type 1. */
export function newEventToTerm(e: NewEvent): TermMap {
  return termMap([
    [atom('__struct__'), atom('Elixir.ExESDB.Schema.NewEvent')],
    [atom('event_id'), Buffer.from(e.eventId ?? '')],
    [atom('event_type'), Buffer.from(e.eventType)],
    [atom('data_content_type'), e.dataContentType ?? 1],
    [atom('metadata_content_type'), e.metadataContentType ?? 1],
    [atom('data'), jsonToTerm(e.data)],
    [atom('metadata'), jsonToTerm(e.metadata ?? null)],
    [atom('__unknown_fields__'), []],
  ]);
}

/**
 * `%ExESDB.Schema.EventRecord{}` -> EventRecord. ExESDB has no store-wide position: `position` is -1.
 * @throws GaterError `internal` when the term is not an event record.
 */
export function recordFromTerm(t: Term): EventRecord {
  const name = structName(t);
  if (name !== undefined && name !== 'Elixir.ExESDB.Schema.EventRecord')
    throw new GaterError('internal', `expected an ExESDB EventRecord, got a ${name}`);
  const text = (k: string): string => {
    const v = termToJson(field(t, k) ?? atom('nil'));
    return typeof v === 'string' ? v : v === null ? '' : JSON.stringify(v);
  };
  const int = (k: string, dflt: number): number => {
    const v = field(t, k);
    return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : dflt;
  };
  const number = field(t, 'event_number');
  if (typeof number !== 'number' || !(t instanceof TermMap))
    throw new GaterError('internal', `malformed event record from the BEAM node: ${termText(t)}`);
  const epoch = int('created_epoch', 0);
  const createdTerm = field(t, 'created');
  const created =
    dateTimeToIso(createdTerm) ??
    (typeof createdTerm === 'number'
      ? new Date(createdTerm / 1000).toISOString()
      : new Date(epoch / 1000).toISOString());
  return {
    eventStreamId: text('event_stream_id'),
    eventNumber: number,
    eventId: text('event_id'),
    eventType: text('event_type'),
    dataContentType: int('data_content_type', 0),
    metadataContentType: int('metadata_content_type', 0),
    data: termToJson(field(t, 'data') ?? atom('nil')),
    metadata: termToJson(field(t, 'metadata') ?? atom('nil')),
    created,
    createdEpoch: epoch,
    position: -1,
  };
}
