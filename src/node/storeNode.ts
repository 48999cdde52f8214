import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { GaterError, toGaterError } from '../core/errors.js';
import { TypedEmitter, logListenerErrors } from '../core/util/index.js';
import {
  NODE_OPS,
  OPS,
  isOp,
  type NodeAnnouncement,
  type NodeOp,
  type Op,
  type OpRequest,
  type StorageIdentity,
  type OpResult,
  type Untrusted,
  type WorkerOp,
} from '../core/wire/index.js';
import { validateStore } from '../core/validation.js';
import type { StorageAdapter } from './storage/storageAdapter.js';
import { MemoryStorage } from './storage/memory.js';
import { EventStore } from './store/eventStore.js';
import { GatewayWorker, type NodeSession, type SessionTracker } from './worker.js';

import type { LogFn } from '../core/log.js';
export type { LogFn };

export interface StoreNodeOptions {
  /** Node name `name@host` (default `node_<random>@<hostname>`). */
  name?: string;
  /** Stores this node hosts (default `['reg_gh']`). With shared storage, every store the storage holds is hosted too. */
  stores?: string[];
  /** `memory` (default), `sqlite:<file>`, `postgres://...`, or an adapter instance. */
  storage?: string | StorageAdapter;
  /** Gateway workers per store (default 1). */
  poolSize?: number;
  log?: LogFn;
}

interface HostedStore {
  engine: EventStore;
  workers: GatewayWorker[];
  storage: StorageIdentity;
}

/**
 * A store node: hosts stores (one EventStore engine each) and their gateway workers, and answers requests
 * from gateways through any transport that hands it a NodeSession (in-process link or TCP).
 */
export class StoreNode {
  readonly name: string;
  private readonly hosted = new Map<string, HostedStore>();
  /** Running subscriptions per gateway session (internal sub id -> its engine), ended when the session closes. */
  private readonly sessionSubs = new Map<string, Map<string, EventStore>>();
  private readonly changes: TypedEmitter<{ type: 'change' }>;
  /** When each lagging subscription was last warned about. */
  private readonly lagWarnedAt = new Map<string, number>();
  private readonly log: LogFn;
  private stopped = false;

  constructor(
    readonly storage: StorageAdapter,
    private readonly options: { name: string; poolSize: number; log?: LogFn },
  ) {
    this.name = options.name;
    this.log = options.log ?? (() => {});
    this.changes = new TypedEmitter(options.log ? logListenerErrors(options.log, 'StoreNode') : 'StoreNode');
  }

  /** Starts hosting `store` with poolSize workers (idempotent). */
  async host(store: string): Promise<void> {
    validateStore(store);
    if (this.hosted.has(store)) return;
    await this.storage.ensureStore(store);
    const storage = { kind: this.storage.kind, id: await this.storage.storageId() };
    if (this.hosted.has(store)) return;
    const engine = new EventStore(
      store,
      this.storage,
      (e) => this.log('error', `[Store] ${store}: ${toGaterError(e).message}`),
      (id, name, lagging) => {
        // A subscriber that keeps up only just flips at every buffer's worth: one warning per 10 s is enough.
        const now = Date.now();
        if (!lagging) {
          this.log('debug', `[Store] ${store}: subscription ${name} (${id}) is taking pushes again`);
        } else if (now - (this.lagWarnedAt.get(id) ?? 0) >= 10_000) {
          if (this.lagWarnedAt.size >= 10_000) this.lagWarnedAt.clear(); // ids of ended subscriptions
          this.lagWarnedAt.set(id, now);
          this.log(
            'warn',
            `[Store] ${store}: subscription ${name} (${id}) is lagging: its gateway is not taking pushes fast enough; delivery is held back and resumes from storage once it drains (lag in status)`,
          );
        }
      },
    );
    const workers: GatewayWorker[] = [];
    for (let i = 0; i < this.options.poolSize; i++) {
      const id = `gw_${store}_${randomBytes(3).toString('hex')}_${i + 1}`;
      workers.push(new GatewayWorker(id, store, this.name, engine, this.sessionTracker(engine)));
      this.log('info', `[GatewayWorker] [{gateway_worker, ${store}, ${this.name}, ${id}}] is UP, joining the cluster.`);
    }
    this.hosted.set(store, { engine, workers, storage });
    this.log('info', `[GatewaySystem] GatewaySystem for ${store} is UP with ${workers.length} workers`);
    this.changes.emit({ type: 'change' });
  }

  /** Stores and workers, as the handshake and updates announce them. */
  announcement(): NodeAnnouncement {
    const stores = [...this.hosted.keys()];
    return {
      node: this.name,
      stores,
      workers: [...this.hosted.values()].flatMap((h) => h.workers.map((w) => w.describe())),
      storages: Object.fromEntries([...this.hosted].map(([store, h]) => [store, h.storage])),
    };
  }

  /** Calls handled per worker id (for status: the spread of routed calls). */
  workerCalls(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const h of this.hosted.values()) for (const w of h.workers) out[w.id] = w.calls;
    return out;
  }

  onChange(cb: () => void): () => void {
    return this.changes.subscribe(() => cb());
  }

  engine(store: string): EventStore | undefined {
    return this.hosted.get(store)?.engine;
  }

  /** Executes one request as it came off the wire (op and arguments unchecked). Always resolves or rejects with a GaterError. */
  handle(session: NodeSession, op: unknown, args: unknown): Promise<unknown> {
    if (!isOp(op)) {
      return Promise.reject(
        new GaterError(
          'invalid_argument',
          `unknown operation ${JSON.stringify(op)}; this node speaks ${OPS.join(', ')} (upgrade the gateway or the node)`,
        ),
      );
    }
    return this.dispatch(session, op, args);
  }

  /**
   * Executes one request of the protocol. Always resolves or rejects with a GaterError.
   * Not an async function: the handler's own promise is passed on with one rejection mapping, instead of the two
   * extra promises of an async wrapper that awaits it (a visible share of a small request).
   */
  dispatch<K extends Op>(session: NodeSession, op: K, rawArgs: unknown): Promise<OpResult<K>> {
    let result: OpResult<K> | Promise<OpResult<K>>;
    try {
      if (this.stopped)
        throw new GaterError('connection_closed', `node ${this.name} is stopping; retry on another node`);
      if (isNodeOp(op)) return Promise.resolve(this.nodeHandlers[op]());
      if (!isWorkerOp(op)) throw new GaterError('internal', `operation ${op} has no handler`);
      if (!rawArgs || typeof rawArgs !== 'object' || Array.isArray(rawArgs))
        throw new GaterError('invalid_argument', `${op} needs an arguments object`);
      // Every field is still `unknown` here: the handlers validate what they read.
      const args = rawArgs as Untrusted<OpRequest<typeof op>>;
      const store = validateStore(args.store);
      const hosted = this.hosted.get(store);
      if (!hosted) {
        throw new GaterError(
          'store_not_found',
          `node ${this.name} does not host store "${store}"; hosted: ${[...this.hosted.keys()].join(', ') || 'none'}`,
          {
            store,
            node: this.name,
          },
        );
      }
      const worker = hosted.workers.find((w) => w.id === args.worker) ?? hosted.workers[0]!;
      result = worker.handle(session, op, args);
    } catch (e) {
      return Promise.reject(toGaterError(e));
    }
    // Promise.resolve hands back a native promise as it is; a value or another thenable is adopted.
    return Promise.resolve(result).then(undefined, rethrowAsGaterError);
  }

  /** The operations the node answers itself (the rest of the protocol is the workers' table). */
  private readonly nodeHandlers: { [K in NodeOp]: () => OpResult<K> } = {
    ping: () => ({ node: this.name }),
    listStores: () => this.announcement().stores.map((store) => ({ store, node: this.name })),
  };

  /** What a worker tells the node about the subscriptions it starts and stops for a session. */
  private sessionTracker(engine: EventStore): SessionTracker {
    return {
      add: (session, subId) => {
        let subs = this.sessionSubs.get(session.id);
        if (!subs) {
          const mine = new Map<string, EventStore>();
          subs = mine;
          this.sessionSubs.set(session.id, mine);
          // Transient subscriptions are live views: they end with the connection that asked for them.
          session.onClose(() => {
            this.sessionSubs.delete(session.id);
            for (const [id, e] of mine) e.closeSub(id);
          });
        }
        subs.set(subId, engine);
      },
      remove: (session, subId) => {
        this.sessionSubs.get(session.id)?.delete(subId);
      },
    };
  }

  /** Stops every subscription and closes storage. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const [store, h] of this.hosted) {
      await h.engine.flush();
      h.engine.close();
      for (const w of h.workers)
        this.log(
          'info',
          `[GatewayWorker] [{gateway_worker, ${store}, ${this.name}, ${w.id}}] is TERMINATED with reason shutdown, leaving the cluster.`,
        );
    }
    await this.storage.close();
  }
}

export function defaultNodeName(prefix = 'node'): string {
  return `${prefix}_${randomBytes(3).toString('hex')}@${hostname()}`;
}

/** Opens the storage named by a spec string (memory without loading any driver). */
export async function openStorage(storage: string | StorageAdapter | undefined): Promise<StorageAdapter> {
  if (storage === undefined || storage === 'memory') return new MemoryStorage();
  if (typeof storage !== 'string') return storage;
  const mod = await import('./storage/index.js');
  return mod.createStorage(storage);
}

/** Creates a store node hosting its stores (no network: transports attach to it). */
export async function createStoreNode(options: StoreNodeOptions = {}): Promise<StoreNode> {
  const storage = await openStorage(options.storage);
  const node = new StoreNode(storage, {
    name: options.name ?? defaultNodeName(),
    poolSize: Math.max(1, options.poolSize ?? 1),
    log: options.log,
  });
  const stores = new Set(options.stores ?? ['reg_gh']);
  if (storage.shared) for (const s of await storage.listStores()) stores.add(s);
  for (const s of stores) await node.host(s);
  return node;
}

function rethrowAsGaterError(e: unknown): never {
  throw toGaterError(e);
}

function isNodeOp<K extends Op>(op: K): op is K & NodeOp {
  return (NODE_OPS as readonly Op[]).includes(op);
}

function isWorkerOp<K extends Op>(op: K): op is K & WorkerOp {
  return !isNodeOp(op);
}
