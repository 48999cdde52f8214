import { ProducerManager, type GaterApi, type NewEvent } from '../core/index.js';
import { generateGreenhouseEvents } from '../domain/greenhouse/index.js';

export interface ProduceOptions {
  /** Number of producers, on `<prefix>1..N` (default 3). */
  producers?: number;
  /** Events per append (default 1). */
  batch?: number;
  /** ms between a producer's appends (default 100; 0 = as fast as appends complete). */
  periodMs?: number;
  /** Stop after exactly this many events in total. */
  events?: number;
  /** Stop after this long. */
  durationMs?: number;
  /** Stream name prefix (default `greenhouse`). */
  prefix?: string;
  /** Seed for the greenhouse generator: the same seed and stream states give the same events. */
  seed?: string | number;
  /** Resolves to stop early (Ctrl+C). */
  stop?: Promise<unknown>;
  /** Called about every `progressMs` (default 1000) and once at the end. */
  onProgress?: (p: ProduceProgress) => void;
  progressMs?: number;
}

export interface ProduceProgress {
  events: number;
  appends: number;
  elapsedMs: number;
  ratePerSec: number;
}

export interface ProduceSummary extends ProduceProgress {
  store: string;
  producers: number;
  batch: number;
  periodMs: number;
  streams: Record<string, { events: number; version: number; lastError: string | null }>;
  /** Appends that failed (each producer keeps trying). */
  errors: number;
  lastError: string | null;
  stoppedBy: 'events' | 'duration' | 'signal';
}

/**
 * Runs greenhouse producers (the console's ProducerManager) until `events` in total, `durationMs`, or `stop`.
 * With `events`, the total is exact: each batch is cut to the events still owed, reserved when it is generated.
 */
export async function runProducers(api: GaterApi, store: string, o: ProduceOptions): Promise<ProduceSummary> {
  const producers = o.producers ?? 3;
  const batch = o.batch ?? 1;
  const periodMs = o.periodMs ?? 100;
  const prefix = o.prefix ?? 'greenhouse';
  let budget = o.events ?? Infinity;
  let calls = 0;
  let errors = 0;
  let lastError: string | null = null;
  const factory = (version: number, count: number, stream: string): NewEvent[] => {
    const n = Math.min(count, budget);
    budget -= n;
    calls++;
    // The stream is part of the seed: seeded events repeat their ids, and ids are unique per store.
    const seed = o.seed === undefined ? {} : { seed: `${o.seed}:${stream}:${calls}:${version}` };
    return generateGreenhouseEvents(version, n, seed);
  };
  // The manager keeps trying after a failed append; count failures on the way through.
  const counted = Object.create(api) as GaterApi;
  const track = <T>(p: Promise<T>): Promise<T> =>
    p.catch((e: unknown) => {
      errors++;
      lastError = e instanceof Error ? e.message : String(e);
      throw e;
    });
  counted.getVersion = (s, id) => track(api.getVersion(s, id));
  counted.appendEvents = (s, id, evs, ev) => track(api.appendEvents(s, id, evs, ev));
  const manager = new ProducerManager(counted, store, factory);
  const started = Date.now();
  let produced = 0;
  let appends = 0;
  let done!: (r: ProduceSummary['stoppedBy']) => void;
  const finished = new Promise<ProduceSummary['stoppedBy']>((r) => (done = r));
  const unsubscribe = manager.onAppended((n) => {
    if (n.count === 0) return;
    produced += n.count;
    appends++;
    if (o.events !== undefined && produced >= o.events) done('events');
  });
  const streams: string[] = [];
  for (let i = 1; i <= producers; i++) {
    const s = `${prefix}${i}`;
    manager.start(s, { batchSize: batch, periodMs });
    streams.push(s);
  }
  const progress = (): ProduceProgress => {
    const elapsedMs = Date.now() - started;
    return {
      events: produced,
      appends,
      elapsedMs,
      ratePerSec: elapsedMs > 0 ? Math.round((produced / elapsedMs) * 10_000) / 10 : 0,
    };
  };
  const ticker = o.onProgress ? setInterval(() => o.onProgress!(progress()), o.progressMs ?? 1000) : undefined;
  const timer = o.durationMs !== undefined ? setTimeout(() => done('duration'), o.durationMs) : undefined;
  void o.stop?.then(() => done('signal'));
  const stoppedBy = await finished;
  if (timer) clearTimeout(timer);
  if (ticker) clearInterval(ticker);
  const infos = manager.list();
  await manager.stopAll();
  unsubscribe();
  const end = progress();
  o.onProgress?.(end);
  return {
    store,
    producers,
    batch,
    periodMs,
    ...end,
    streams: Object.fromEntries(
      infos.map((p) => [p.stream, { events: p.produced, version: p.lastVersion, lastError: p.lastError }]),
    ),
    errors,
    lastError,
    stoppedBy,
  };
}
