import { monotonicFactory } from 'ulid';
import type { NewEvent } from '../../core/types.js';
import { GREENHOUSE_EVENT_TYPES, INITIALIZED, OPERATORS, RANGES } from './eventTypes.js';

export interface GenerateOptions {
  /** Same seed, same events (ids included). Without one, Math.random and the clock. */
  seed?: number | string;
  /** Millisecond time for the ULIDs (default: a fixed instant when seeded, else now). */
  time?: number;
}

/** mulberry32: tiny, fast, good enough for test data. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedNumber(seed: number | string): number {
  if (typeof seed === 'number') return seed;
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return h >>> 0;
}

const SEEDED_EPOCH = Date.UTC(2025, 6, 7); // fixed so seeded ids repeat exactly

/**
 * Greenhouse events for a stream currently at `startVersion` (-1 for a new stream): a new stream begins with
 * `initialized:v1` (we fix the reference's 1-based leftover, EXESDB_SPEC §7.10). Metadata carries causation and
 * correlation ids; the first event of a batch is caused by nothing, the rest by their predecessor.
 */
export function generateGreenhouseEvents(
  startVersion: number,
  count: number,
  options: GenerateOptions = {},
): NewEvent[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be an integer >= 0, got ${count}`);
  if (!Number.isInteger(startVersion) || startVersion < -1)
    throw new RangeError(`startVersion must be an integer >= -1, got ${startVersion}`);
  const rnd = options.seed === undefined ? Math.random : mulberry32(seedNumber(options.seed));
  const time = options.time ?? (options.seed === undefined ? Date.now() : SEEDED_EPOCH);
  const newId = monotonicFactory(rnd);
  const int = ([lo, hi]: readonly [number, number]) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const correlationId = newId(time);
  const out: NewEvent[] = [];
  let previous: string | undefined;
  for (let i = 0; i < count; i++) {
    const eventId = newId(time);
    const metadata = { causation_id: previous ?? correlationId, correlation_id: correlationId };
    if (startVersion === -1 && i === 0) {
      out.push({
        eventId,
        eventType: INITIALIZED,
        data: { temperature: int(RANGES.temperature), humidity: int(RANGES.humidity), light: int(RANGES.light) },
        metadata,
        dataContentType: 1,
        metadataContentType: 1,
      });
    } else {
      const eventType = pick(GREENHOUSE_EVENT_TYPES);
      out.push({
        eventId,
        eventType,
        data: dataFor(eventType, int, () => pick(OPERATORS)),
        metadata,
        dataContentType: 1 + Math.floor(rnd() * 3),
        metadataContentType: 1 + Math.floor(rnd() * 3),
      });
    }
    previous = eventId;
  }
  return out;
}

function dataFor(
  type: string,
  int: (r: readonly [number, number]) => number,
  operator: () => string,
): Record<string, unknown> {
  switch (type) {
    case 'temperature_measured:v1':
      return { temperature: int(RANGES.temperature) };
    case 'humidity_measured:v1':
      return { humidity: int(RANGES.humidity) };
    case 'light_measured:v1':
      return { light: int(RANGES.light) };
    case 'desired_temperature_set:v1':
      return { temperature: int(RANGES.temperature), operator: operator() };
    case 'desired_humidity_set:v1':
      return { humidity: int(RANGES.humidity), operator: operator() };
    case 'desired_light_set:v1':
      return { light: int(RANGES.light), operator: operator() };
    default:
      return { intensity: int(RANGES.intensity) };
  }
}
