import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { GaterApi } from '../api/gaterApi.js';
import { invalidArgument, toGaterError } from '../errors.js';
import type { EventRecord, NewEvent } from '../types.js';
import { LatencyHistogram } from './histogram.js';
import { DeliveryTracker } from './deliveryTracker.js';
import type { BenchOp, BenchOptions, BenchProgress, BenchOpResult, BenchReport } from './benchTypes.js';

class OpStats {
  readonly hist = new LatencyHistogram();
  calls = 0;
  events = 0;
  readonly errors: Record<string, number> = {};
  startedAt = 0;
  endedAt = 0;

  fail(e: unknown): void {
    const code = toGaterError(e).code;
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  get errorCount(): number {
    return Object.values(this.errors).reduce((a, b) => a + b, 0);
  }

  result(op: BenchOp): BenchOpResult {
    const seconds = Math.max(0, this.endedAt - this.startedAt) / 1000;
    return {
      op,
      calls: this.calls,
      events: this.events,
      seconds: round(seconds, 3),
      eventsPerSec: seconds > 0 ? Math.round(this.events / seconds) : 0,
      callsPerSec: seconds > 0 ? Math.round(this.calls / seconds) : 0,
      latency: this.hist.summary(),
      errors: { ...this.errors },
    };
  }
}

/** Events a run appends when given neither `events` nor `durationMs`. */
export const BENCH_DEFAULT_EVENTS = 10_000;
/** Longest stretch a closed-loop client runs without letting the event loop's other phases in. */
const YIELD_EVERY_MS = 20;

/**
 * The tool's own load generator (`ex-esdb-console bench`, the console's bench screen): appends from N concurrent
 * callers through the gateway API, optionally open loop at a fixed rate, measures append, read and
 * append → delivery latency in HDR histograms, per operation and per node, and checks that every subscriber
 * received every event once and in order. Works on whatever gateway it is given: embedded, on storage, or a
 * cluster over TCP.
 */
export async function runBench(api: GaterApi, options: BenchOptions): Promise<BenchReport> {
  const clients = positive(options.clients, 1, 'clients');
  const batch = positive(options.batch, 1, 'batch');
  const streams = positive(options.streams, 10, 'streams');
  const subscribers = nonNegative(options.subscribers, 0, 'subscribers');
  const size = nonNegative(options.size, 0, 'size');
  const maxInFlight = positive(options.maxInFlight, 1000, 'maxInFlight');
  const drainMs = nonNegative(options.drainMs, 5000, 'drainMs');
  const durationMs = options.durationMs === undefined ? undefined : positive(options.durationMs, 1, 'durationMs');
  const total =
    options.events === undefined
      ? durationMs === undefined
        ? BENCH_DEFAULT_EVENTS
        : Infinity
      : positive(options.events, 1, 'events');
  const rate = options.rate === undefined ? undefined : positive(options.rate, 1, 'rate');
  const read = options.read ?? true;
  const { store, signal } = options;
  const runId = randomBytes(4).toString('hex');
  const streamNames = Array.from({ length: streams }, (_, i) => `bench-${runId}-${i}`);
  const prefix = `bench-${runId}-`;
  const pad = 'x'.repeat(size);

  const append = new OpStats();
  const reads = new OpStats();
  const delivery = new DeliveryTracker(subscribers, prefix);
  type NodeOpStats = { node: string; op: string; hist: LatencyHistogram; calls: number; errors: number };
  // Keyed by node, then op: this listener runs inside every measured call, and building a "node/op" key string
  // per sample (a fresh string hashed for each lookup) was part of what the bench measured.
  const perNode = new Map<string, { append?: NodeOpStats; read?: NodeOpStats }>();
  const stopListening = api.callStats.listen((s) => {
    const op = s.op;
    if (op !== 'append' && op !== 'read') return;
    let byOp = perNode.get(s.node);
    if (!byOp) perNode.set(s.node, (byOp = {}));
    let n = byOp[op];
    if (!n) n = byOp[op] = { node: s.node, op, hist: new LatencyHistogram(), calls: 0, errors: 0 };
    n.calls++;
    if (s.error !== undefined) n.errors++;
    n.hist.record(s.ms);
  });
  const stopped = (): boolean => signal?.aborted === true;

  // Subscribers start at the store's head so the run sees only its own appends (other traffic is filtered out).
  const handles: { close(): Promise<void> }[] = [];
  let phase: BenchProgress['phase'] = 'append';
  let progressTimer: NodeJS.Timeout | undefined;
  try {
    if (subscribers > 0) {
      const from = (await api.getHeadPosition(store)) + 1;
      for (let k = 0; k < subscribers; k++) {
        handles.push(
          await api.saveSubscription(store, 'by_stream', '$all', 'transient', from, (events: EventRecord[]) =>
            delivery.receive(k, events),
          ),
        );
      }
    }

    const appendedPerStream = new Array<number>(streams).fill(0);
    let left = total;
    let nextStream = 0;
    const take = (): number => {
      const n = Math.min(batch, left);
      left -= n;
      return n;
    };

    const t0 = performance.now();
    const endAt = durationMs === undefined ? Infinity : t0 + durationMs;
    append.startedAt = t0;
    let lastAppended = 0;
    let lastTick = t0;
    const tick = (): void => {
      const now = performance.now();
      const rateNow = ((append.events - lastAppended) * 1000) / Math.max(1, now - lastTick);
      lastAppended = append.events;
      lastTick = now;
      options.onProgress?.({
        phase,
        elapsedMs: Math.round(now - t0),
        appended: append.events,
        rate: Math.round(rateNow),
        appendP99: append.hist.at(99),
        appendLatency: append.hist.summary(),
        subscribers,
        delivered: delivery.minDelivered(),
        read: reads.events,
        errors: append.errorCount + reads.errorCount,
      });
    };
    if (options.onProgress) progressTimer = setInterval(tick, options.progressMs ?? 1000);

    /** One append of `n` events; `sentAt` is when it was (meant to be) sent, the origin of both latencies. */
    const appendOnce = async (n: number, sentAt: number): Promise<void> => {
      const s = nextStream;
      nextStream = (nextStream + 1) % streams;
      const events: NewEvent[] = new Array(n);
      for (let i = 0; i < n; i++)
        events[i] = { eventType: 'bench:v1', data: size > 0 ? { t: sentAt, pad } : { t: sentAt } };
      try {
        await api.appendEvents(store, streamNames[s]!, events);
        append.hist.record(performance.now() - sentAt);
        append.events += n;
        appendedPerStream[s]! += n;
      } catch (e) {
        append.fail(e);
      }
      append.calls++;
    };

    const closedClient = async (): Promise<void> => {
      let yieldedAt = performance.now();
      while (!stopped() && performance.now() < endAt) {
        const n = take();
        if (n === 0) return;
        const t = performance.now();
        // An in-process gateway answers in microtasks only; without a yield now and then timers (progress,
        // timeouts) and I/O would starve for the whole run.
        if (t - yieldedAt > YIELD_EVERY_MS) {
          await new Promise((r) => setImmediate(r));
          yieldedAt = performance.now();
        }
        await appendOnce(n, performance.now());
      }
    };

    const openClient = async (c: number, perSecond: number): Promise<void> => {
      const interval = (1000 * batch * clients) / perSecond;
      const start = t0 + (c / clients) * interval;
      const inFlight = new Set<Promise<void>>();
      for (let k = 0; !stopped(); k++) {
        const intended = start + k * interval;
        if (intended >= endAt) break;
        await waitUntil(intended);
        if (stopped()) break;
        const n = take();
        if (n === 0) break;
        if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
        const p: Promise<void> = appendOnce(n, intended).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.all(inFlight);
    };

    await Promise.all(
      Array.from({ length: clients }, (_, c) => (rate === undefined ? closedClient() : openClient(c, rate))),
    );
    append.endedAt = performance.now();

    if (subscribers > 0) {
      phase = 'drain';
      await delivery.drain(append.events, drainMs, stopped);
    }

    if (read && !stopped()) {
      phase = 'read';
      reads.startedAt = performance.now();
      const readEndAt = durationMs === undefined ? Infinity : reads.startedAt + durationMs;
      const readClient = async (c: number): Promise<void> => {
        let yieldedAt = performance.now();
        for (let s = c; s < streams; s += clients) {
          for (let v = 0; v < appendedPerStream[s]!; v += batch) {
            if (stopped() || performance.now() >= readEndAt) return;
            if (performance.now() - yieldedAt > YIELD_EVERY_MS) {
              await new Promise((r) => setImmediate(r));
              yieldedAt = performance.now();
            }
            const t = performance.now();
            try {
              const got = await api.getEvents(store, streamNames[s]!, v, batch);
              reads.hist.record(performance.now() - t);
              reads.events += got.length;
            } catch (e) {
              reads.fail(e);
            }
            reads.calls++;
          }
        }
      };
      await Promise.all(Array.from({ length: clients }, (_, c) => readClient(c)));
      reads.endedAt = performance.now();
    }
    if (options.onProgress) tick();
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    stopListening();
    await Promise.allSettled(handles.map((h) => h.close()));
  }

  const ops = [append.result('append')];
  if (read && reads.calls > 0) ops.push(reads.result('read'));
  if (subscribers > 0) ops.push(delivery.result(append.startedAt));
  const errors: Record<string, number> = {};
  for (const o of ops) for (const [code, n] of Object.entries(o.errors)) errors[code] = (errors[code] ?? 0) + n;
  return {
    runId,
    config: {
      store,
      clients,
      batch,
      streams,
      subscribers,
      read,
      size,
      mode: rate === undefined ? 'closed' : 'open',
      ...(options.events !== undefined || durationMs === undefined ? { events: total } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
      ...(rate !== undefined ? { rate } : {}),
    },
    ops,
    nodes: [...perNode.values()]
      .flatMap((byOp) => [byOp.append, byOp.read].filter((n) => n !== undefined))
      .sort((a, b) => a.node.localeCompare(b.node) || a.op.localeCompare(b.op))
      .map((n) => ({ node: n.node, op: n.op, calls: n.calls, errors: n.errors, latency: n.hist.summary() })),
    ...(subscribers > 0 ? { delivery: delivery.summary(append.events) } : {}),
    errors,
    aborted: stopped(),
  };
}

/**
 * Waits until `at` (performance.now() time). Timers fire up to a millisecond late, which an open-loop run would
 * count as latency, so the last stretch yields with setImmediate instead (I/O still runs in between).
 */
async function waitUntil(at: number): Promise<void> {
  let left = at - performance.now();
  if (left > 2) await new Promise((r) => setTimeout(r, left - 1.5));
  while ((left = at - performance.now()) > 0) await new Promise((r) => setImmediate(r));
}

function positive(v: number | undefined, fallback: number, what: string): number {
  const n = v ?? fallback;
  if (!Number.isFinite(n) || n < 1) throw invalidArgument(`bench ${what} must be a number >= 1, got ${String(v)}`);
  return n;
}

function nonNegative(v: number | undefined, fallback: number, what: string): number {
  const n = v ?? fallback;
  if (!Number.isFinite(n) || n < 0) throw invalidArgument(`bench ${what} must be a number >= 0, got ${String(v)}`);
  return n;
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
