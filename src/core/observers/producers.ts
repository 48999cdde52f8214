import { TypedEmitter } from '../util/typedEmitter.js';
import { GaterError, invalidArgument, toGaterError } from '../errors.js';
import type { GaterApi } from '../api/gaterApi.js';
import type { NewEvent } from '../types.js';

/** Makes `count` events for a stream at `version` (-1 when new). The greenhouse generator by default. */
/** Events for one append to `stream` at `version` (event ids must be new in the store: they are unique per store). */
export type EventFactory = (version: number, count: number, stream: string) => NewEvent[];

export interface ProducerOptions {
  /** Events per append (default 1). */
  batchSize?: number;
  /** ms between appends (default 2000; 0 = as fast as appends complete). */
  periodMs?: number;
}

export interface ProducerInfo {
  stream: string;
  batchSize: number;
  periodMs: number;
  /**
   * `failing`: the last append (or building its events) failed — see `lastError`; the producer keeps trying and is
   * `running` again after its next successful append.
   */
  status: 'running' | 'failing' | 'stopped';
  /** Events appended by this producer. */
  produced: number;
  appends: number;
  /** Events per second over the last 5 s. */
  ratePerSec: number;
  /** Stream version after the last append, -1 before the first. */
  lastVersion: number;
  lastError: string | null;
  startedAt: string;
}

export interface AppendedNotice {
  stream: string;
  count: number;
  version: number;
}

const RATE_WINDOW_MS = 5000;

class Producer {
  produced = 0;
  appends = 0;
  lastVersion = -1;
  lastError: string | null = null;
  status: ProducerInfo['status'] = 'running';
  readonly startedAt = new Date().toISOString();
  private readonly window: { at: number; n: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    readonly stream: string,
    readonly batchSize: number,
    readonly periodMs: number,
    private readonly tick: (p: Producer) => Promise<void>,
  ) {}

  start(): void {
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.status === 'stopped') return;
    this.timer = setTimeout(() => {
      this.running = this.tick(this)
        .catch(() => {})
        .finally(() => this.schedule(this.periodMs));
    }, ms);
  }

  /** A failed tick: shown, not thrown (the producer tries again after its period). */
  failed(message: string): void {
    this.lastError = message;
    if (this.status !== 'stopped') this.status = 'failing';
  }

  record(n: number, version: number): void {
    const now = Date.now();
    this.lastError = null;
    if (this.status !== 'stopped') this.status = 'running';
    this.produced += n;
    this.appends++;
    this.lastVersion = version;
    this.window.push({ at: now, n });
    while (this.window.length && this.window[0]!.at < now - RATE_WINDOW_MS) this.window.shift();
  }

  rate(): number {
    const now = Date.now();
    const recent = this.window.filter((w) => w.at >= now - RATE_WINDOW_MS);
    const span = Math.min(RATE_WINDOW_MS, now - Date.parse(this.startedAt)) / 1000;
    const n = recent.reduce((a, w) => a + w.n, 0);
    return span > 0 ? Math.round((n / span) * 10) / 10 : 0;
  }

  async stop(): Promise<void> {
    this.status = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  info(): ProducerInfo {
    return {
      stream: this.stream,
      batchSize: this.batchSize,
      periodMs: this.periodMs,
      status: this.status,
      produced: this.produced,
      appends: this.appends,
      ratePerSec: this.rate(),
      lastVersion: this.lastVersion,
      lastError: this.lastError,
      startedAt: this.startedAt,
    };
  }
}

/**
 * Greenhouse producers (reference §7.9), one per stream: each tick reads the stream version, generates a batch
 * and appends it. Failures are counted and shown, never thrown into the console; a producer keeps trying.
 */
export class ProducerManager {
  private readonly producers = new Map<string, Producer>();
  private readonly events = new TypedEmitter<{ type: 'appended'; notice: AppendedNotice }>('ProducerManager');

  constructor(
    private readonly api: GaterApi,
    readonly store: string,
    private readonly factory: EventFactory,
  ) {}

  /** Called after every successful append (the console prints APPENDED lines from it). */
  onAppended(cb: (n: AppendedNotice) => void): () => void {
    return this.events.subscribe((e) => cb(e.notice));
  }

  /** Starts a producer on `stream`; an already running one is left as is and returned as `false`. */
  start(stream: string, options: ProducerOptions = {}): boolean {
    if (typeof stream !== 'string' || !stream.trim())
      throw invalidArgument('producer stream must be a non-empty stream id such as "greenhouse1"');
    const batchSize = options.batchSize ?? 1;
    const periodMs = options.periodMs ?? 2000;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw invalidArgument(`batch size must be an integer >= 1, got ${batchSize}`);
    if (!Number.isInteger(periodMs) || periodMs < 0)
      throw invalidArgument(`period must be an integer >= 0 ms, got ${periodMs}`);
    const existing = this.producers.get(stream);
    if (existing && existing.status !== 'stopped') return false;
    const p = new Producer(stream, batchSize, periodMs, (pr) => this.tick(pr));
    this.producers.set(stream, p);
    p.start();
    return true;
  }

  /** Starts producers on greenhouse1..N. Returns the streams started. */
  startMany(count: number, options: ProducerOptions = {}): string[] {
    if (!Number.isInteger(count) || count < 1)
      throw invalidArgument(`number of producers must be an integer >= 1, got ${count}`);
    const started: string[] = [];
    for (let i = 1; i <= count; i++) if (this.start(`greenhouse${i}`, options)) started.push(`greenhouse${i}`);
    return started;
  }

  private async tick(p: Producer): Promise<void> {
    try {
      const version = await this.api.getVersion(this.store, p.stream);
      const events = this.factory(version, p.batchSize, p.stream);
      const newVersion = await this.api.appendEvents(this.store, p.stream, events);
      p.record(events.length, newVersion);
      this.events.emit({ type: 'appended', notice: { stream: p.stream, count: events.length, version: newVersion } });
    } catch (e) {
      p.failed(toGaterError(e).message);
      throw e;
    }
  }

  async stop(stream: string): Promise<void> {
    const p = this.producers.get(stream.trim());
    if (!p)
      throw new GaterError('not_found', `no producer for stream "${stream}"; list producers to see their streams`);
    this.producers.delete(p.stream);
    await p.stop();
  }

  list(): ProducerInfo[] {
    return [...this.producers.values()].map((p) => p.info());
  }

  /** Stops every producer; returns their streams. */
  async stopAll(): Promise<string[]> {
    const streams = [...this.producers.keys()];
    await Promise.all([...this.producers.values()].map((p) => p.stop()));
    this.producers.clear();
    return streams;
  }
}
