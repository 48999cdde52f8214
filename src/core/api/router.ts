import { GaterError, toGaterError } from '../errors.js';
import type { NodeLink } from '../link.js';
import type { LogFn } from '../log.js';
import type { Op } from '../wire/ops.js';
import type { OpArgs, OpResult, WorkerOp } from '../wire/ops.js';
import type { WorkerPick, WorkerRegistry } from '../registry/workerRegistry.js';
import { CallStats } from './callStats.js';

/** No node excluded (shared, never written: the first failover makes a call its own set). */
const NONE: ReadonlySet<NodeLink> = new Set<NodeLink>();

/** Errors after which the same request may safely go to another node. */
export const FAILOVER_CODES = new Set(['connection_closed', 'store_not_found']);

/**
 * Requests that may run twice with the effect of once, so a `timeout` (outcome unknown) may be retried on another
 * node: reads, and appends (their event ids are fixed before the first send and unique per store).
 */
export const IDEMPOTENT_OPS: ReadonlySet<Op> = new Set<Op>([
  'append',
  'read',
  'getVersion',
  'getStreams',
  'headPosition',
  'getSubscriptions',
  'readSnapshot',
  'listSnapshots',
  'recordSnapshot',
  'deleteSnapshot',
]);

/** How often a suspect node is pinged until it answers again. */
const PROBE_EVERY_MS = 500;

export interface RouterOptions {
  /** Per-call timeout (default 5000 ms). */
  timeoutMs?: number;
  /** How long to wait for a worker of the store before `no_workers` (default 5000 ms); a call goes as soon as a worker registers. */
  noWorkersWaitMs?: number;
  log?: LogFn;
}

/**
 * Per-store routing (DESIGN §4.1): a uniformly random worker of a node hosting the store, waiting for one with
 * backoff, and failing safe requests over to another node when theirs goes away.
 */
export class Router {
  readonly timeoutMs: number;
  readonly noWorkersWaitMs: number;
  /** Latency of every call per node, as this gateway measured it. */
  readonly stats = new CallStats();
  private readonly log: LogFn;
  /** Nodes that let a call time out: skipped while another node can serve, pinged until they answer. */
  private readonly suspects = new Map<NodeLink, NodeJS.Timeout>();

  constructor(
    readonly registry: WorkerRegistry,
    options: RouterOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.noWorkersWaitMs = options.noWorkersWaitMs ?? 5000;
    this.log = options.log ?? (() => {});
  }

  /**
   * Waits for a worker of `store` on a node not in `exclude`: looks again whenever the registry changes, and at
   * least every 100, 200, 400... ms (a suspect node may have cleared meanwhile).
   */
  async waitForWorker(store: string, exclude: ReadonlySet<NodeLink>, deadline: number): Promise<WorkerPick> {
    let delay = 100;
    for (let attempt = 0; ; attempt++) {
      const p = this.pickPreferringHealthy(store, exclude);
      if (p) {
        if (attempt > 0)
          this.log(
            'info',
            `🚪 [GaterAPI] Found ${this.registry.workersForStore(store).length} available workers for ${store} after ${attempt} retries`,
          );
        return p;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.log('error', `🚪 [GaterAPI] No workers available for ${store} after ${this.noWorkersWaitMs} ms`);
        throw new GaterError(
          'no_workers',
          `no gateway worker for store "${store}" after ${this.noWorkersWaitMs} ms; start a node that hosts it (ex-esdb-console node --store ${store}) or check --connect / gossip settings`,
          { store },
        );
      }
      const wait = Math.min(delay, left);
      this.log(
        'debug',
        `🚪 [GaterAPI] No workers available for ${store}, retrying in ${wait}ms (attempt ${attempt + 1})`,
      );
      // A node that registers meanwhile (a gateway still meeting its seeds) is used at once, not at the end of the
      // step; the backoff only grows when a whole step passed with nothing new.
      if (await this.changeOrTimeout(wait)) delay = Math.min(delay * 2, 5000);
    }
  }

  /** Resolves after `ms` (true) or as soon as the registry changes (false), whichever comes first. */
  private changeOrTimeout(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const end = (timedOut: boolean): void => {
        clearTimeout(timer);
        stop();
        resolve(timedOut);
      };
      const timer = setTimeout(() => end(true), ms);
      const stop = this.registry.onChange(() => end(false));
    });
  }

  /** A worker on a node that is not suspect; a suspect one only when no other node hosts the store. */
  private pickPreferringHealthy(store: string, exclude: ReadonlySet<NodeLink>): WorkerPick | undefined {
    if (this.suspects.size === 0) return this.registry.pick(store, exclude);
    return (
      this.registry.pick(store, new Set([...exclude, ...this.suspects.keys()])) ?? this.registry.pick(store, exclude)
    );
  }

  /** One routed call; safe requests fail over to another node when theirs goes away or (if idempotent) times out. */
  async call<K extends WorkerOp>(store: string, op: K, args: OpArgs<K>): Promise<OpResult<K>> {
    // The common case costs no allocation or clock read: a worker is there, the call succeeds.
    // Nodes this call gave up on: none in the common case (the shared empty NONE stands in, never written).
    let failed: Set<NodeLink> | undefined;
    let deadline = 0;
    for (;;) {
      const exclude = failed ?? NONE;
      let picked = this.registry.pick(store, exclude);
      if (!picked) {
        if (deadline === 0) deadline = Date.now() + this.noWorkersWaitMs;
        picked = await this.waitForWorker(store, exclude, deadline);
      }
      const { worker, link } = picked;
      const t0 = performance.now();
      try {
        // Keys before the spread: `{ ...args, store }` (keys added after a spread) is V8's slow path, ~1.5 µs a call.
        const value = await link.request(op, { store, worker: worker.id, ...args }, this.timeoutMs);
        this.stats.record({ node: link.node, op, ms: performance.now() - t0 });
        return value;
      } catch (e) {
        const err = toGaterError(e);
        this.stats.record({ node: link.node, op, ms: performance.now() - t0, error: err.code });
        failed ??= new Set();
        if (err.code === 'timeout') {
          this.suspect(link);
          failed.add(link);
          // Only to a node that can take it now: a timeout already cost the caller timeoutMs.
          if (IDEMPOTENT_OPS.has(op) && this.registry.pick(store, new Set([...failed, ...this.suspects.keys()]))) {
            this.log('warn', `🚪 [GaterAPI] ${op} on ${link.node} timed out; retrying on another node`);
            continue;
          }
          throw op === 'append' ? appendTimeout(err, args as unknown as Record<string, unknown>) : err;
        }
        if (!FAILOVER_CODES.has(err.code)) throw err;
        // past the deadline waitForWorker still returns a live alternative at once, else it says no_workers
        this.log('warn', `🚪 [GaterAPI] ${op} on ${link.node} failed (${err.code}); retrying on another node`);
        if (deadline === 0) deadline = Date.now() + this.noWorkersWaitMs;
        failed.add(link);
      }
    }
  }

  /** Marks a node suspect until it answers a ping (or its link closes). */
  private suspect(link: NodeLink): void {
    if (this.suspects.has(link) || link.closed) return;
    this.log('warn', `🚪 [GaterAPI] node ${link.node} did not answer in time; skipping it until it answers again`);
    let probing = false;
    const timer = setInterval(() => {
      if (link.closed) return this.clear(link);
      if (probing) return;
      probing = true;
      link.request('ping', { store: '', worker: '' }, this.timeoutMs).then(
        () => {
          if (this.clear(link)) this.log('info', `🚪 [GaterAPI] node ${link.node} answers again`);
        },
        () => (probing = false),
      );
    }, PROBE_EVERY_MS);
    timer.unref();
    this.suspects.set(link, timer);
  }

  private clear(link: NodeLink): boolean {
    const timer = this.suspects.get(link);
    if (!timer) return false;
    clearInterval(timer);
    this.suspects.delete(link);
    return true;
  }

  /** Whether a node is currently skipped for not answering in time (status, tests). */
  isSuspect(node: string): boolean {
    return [...this.suspects.keys()].some((l) => l.node === node);
  }

  /** Stops the pings to suspect nodes. */
  close(): void {
    for (const link of [...this.suspects.keys()]) this.clear(link);
  }
}

/** A timed-out append: what the caller can know and do (DESIGN §4.3). */
function appendTimeout(err: GaterError, args: Record<string, unknown>): GaterError {
  const stream = typeof args.streamId === 'string' ? args.streamId : '?';
  return new GaterError(
    'timeout',
    `${err.message}. The outcome is unknown: the events may or may not have been stored. Check with \`version ${stream}\` or \`read ${stream}\`, or simply send the same events again (same event ids, e.g. the same --idempotency-key): they are stored at most once`,
    { ...err.details, op: 'append', stream, outcome: 'unknown' },
    { cause: err },
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
