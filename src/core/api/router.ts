import { GaterError, toGaterError } from '../errors.js';
import type { NodeLink } from '../link.js';
import type { LogFn } from '../log.js';
import type { OpArgs, OpResult, WorkerOp } from '../wire/ops.js';
import type { WorkerPick, WorkerRegistry } from '../registry/workerRegistry.js';
import { CallStats } from './callStats.js';

/** No node excluded (shared, never written: the first failover makes a call its own set). */
const NONE: ReadonlySet<NodeLink> & Set<NodeLink> = new Set<NodeLink>();

/** Errors after which the same request may safely go to another node. */
export const FAILOVER_CODES = new Set(['connection_closed', 'store_not_found']);

export interface RouterOptions {
  /** Per-call timeout (default 5000 ms). */
  timeoutMs?: number;
  /** How long to wait for a worker of the store before `no_workers` (default 5000 ms; backoff from 100 ms). */
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

  constructor(
    readonly registry: WorkerRegistry,
    options: RouterOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.noWorkersWaitMs = options.noWorkersWaitMs ?? 5000;
    this.log = options.log ?? (() => {});
  }

  /** Waits (backoff 100, 200, 400... ms) for a worker of `store` on a node not in `exclude`. */
  async waitForWorker(store: string, exclude: ReadonlySet<NodeLink>, deadline: number): Promise<WorkerPick> {
    let delay = 100;
    for (let attempt = 0; ; attempt++) {
      const p = this.registry.pick(store, exclude);
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
      await sleep(wait);
      delay = Math.min(delay * 2, 5000);
    }
  }

  /** One routed call; safe requests fail over to another node when theirs goes away. */
  async call<K extends WorkerOp>(store: string, op: K, args: OpArgs<K>): Promise<OpResult<K>> {
    // The common case costs no allocation or clock read: a worker is there, the call succeeds.
    let exclude: Set<NodeLink> = NONE;
    let deadline = 0;
    for (;;) {
      let picked = this.registry.pick(store, exclude);
      if (!picked) {
        if (deadline === 0) deadline = Date.now() + this.noWorkersWaitMs;
        picked = await this.waitForWorker(store, exclude, deadline);
      }
      const { worker, link } = picked;
      const t0 = performance.now();
      try {
        const value = await link.request(op, { ...args, store, worker: worker.id }, this.timeoutMs);
        this.stats.record({ node: link.node, op, ms: performance.now() - t0 });
        return value;
      } catch (e) {
        const err = toGaterError(e);
        this.stats.record({ node: link.node, op, ms: performance.now() - t0, error: err.code });
        if (!FAILOVER_CODES.has(err.code)) throw err;
        // past the deadline waitForWorker still returns a live alternative at once, else it says no_workers
        this.log('warn', `🚪 [GaterAPI] ${op} on ${link.node} failed (${err.code}); retrying on another node`);
        if (exclude === NONE) exclude = new Set();
        if (deadline === 0) deadline = Date.now() + this.noWorkersWaitMs;
        exclude.add(link);
      }
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
