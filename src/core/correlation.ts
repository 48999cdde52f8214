/**
 * Where an event's correlation and causation ids live in its metadata. Writers spell them differently: Elixir and
 * the greenhouse generator use `correlation_id`/`causation_id`, JavaScript libraries `correlationId`, EventStoreDB
 * `$correlationId`. Storages index the same three spellings (the first one holding a string wins; other values are not ids), so `follow` finds them all.
 */
export const CORRELATION_KEYS = ['correlation_id', 'correlationId', '$correlationId'] as const;
export const CAUSATION_KEYS = ['causation_id', 'causationId', '$causationId'] as const;

function firstString(metadata: unknown, keys: readonly string[]): string | undefined {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
  const m = metadata as Record<string, unknown>;
  for (const k of keys) {
    const v = m[k];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** The event's correlation id, when its metadata has one as a string. */
export const correlationIdOf = (metadata: unknown): string | undefined => firstString(metadata, CORRELATION_KEYS);
/** The id of the event (or command) that caused this one, when its metadata says. */
export const causationIdOf = (metadata: unknown): string | undefined => firstString(metadata, CAUSATION_KEYS);

/** Whether an event belongs to what the keys name: its own id, its correlation or its cause is one of them. */
export function matchesKeys(e: { eventId: string; metadata: unknown }, keys: ReadonlySet<string>): boolean {
  if (keys.has(e.eventId)) return true;
  const c = correlationIdOf(e.metadata);
  if (c !== undefined && keys.has(c)) return true;
  const k = causationIdOf(e.metadata);
  return k !== undefined && keys.has(k);
}
