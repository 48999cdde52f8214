import pg from 'pg';
import { GaterError } from '../../core/errors.js';

/** Options of AppendListener. */
export interface AppendListenerOptions {
  /** Connection URL without the `?schema=` parameter. */
  url: string;
  /** The NOTIFY channel appends are announced on (one per schema). */
  channel: string;
  connectTimeoutMs: number;
  /** The storage as messages show it (password masked). */
  target: string;
  /** True for a backend pid of our own pool: its notifications are our own appends, not news. */
  isOwn: (pid: number) => boolean;
}

/** Reconnect backoff of the LISTEN connection: from 100 ms, doubling, at most 5 s. */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

/**
 * The LISTEN side of PostgreSQL storage: one dedicated connection LISTENs on the schema's channel and tells the
 * watchers of a store when another node appended to it (the payload is the store name). The connection is opened
 * on the first watch, reconnected with backoff when it drops, and every watcher is told once after each (re)connect,
 * because appends made while nobody listened were never announced.
 */
export class AppendListener {
  private readonly watchers = new Map<string, Set<() => void>>();
  private client: pg.Client | undefined;
  private up = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private backoffMs = FIRST_BACKOFF_MS;
  private closed = false;

  constructor(private readonly o: AppendListenerOptions) {}

  /** Calls `onAppend` when another node appends to `store`; returns the function that stops it. */
  watch(store: string, onAppend: () => void): () => void {
    let set = this.watchers.get(store);
    if (!set) this.watchers.set(store, (set = new Set()));
    const fn = () => onAppend(); // a fresh wrapper, so the same callback may be registered twice
    set.add(fn);
    this.start();
    const mine = set;
    return () => {
      mine.delete(fn);
      if (mine.size === 0 && this.watchers.get(store) === mine) this.watchers.delete(store);
    };
  }

  /** Resolves once LISTEN is active, so no later append by another node can be missed (tests, startup). */
  async whenListening(timeoutMs = this.o.connectTimeoutMs + 1000): Promise<void> {
    this.start();
    const until = Date.now() + timeoutMs;
    while (!this.up) {
      if (this.closed || Date.now() > until)
        throw new GaterError('timeout', `could not LISTEN on PostgreSQL at ${this.o.target}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Calls the watchers of `store` now (also used to make followers look again at a hole in the positions). */
  fire(store: string): void {
    for (const fn of [...(this.watchers.get(store) ?? [])]) {
      try {
        fn();
      } catch {
        // a watcher's failure is its own business
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchers.clear();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.up = false;
    await client?.end().catch(() => {});
  }

  private start(): void {
    if (this.closed || this.client || this.reconnectTimer) return;
    const client = new pg.Client({
      connectionString: this.o.url,
      connectionTimeoutMillis: this.o.connectTimeoutMs,
      application_name: 'ex-esdb-console listen',
    });
    this.client = client;
    client.on('notification', (m) => {
      if (m.channel !== this.o.channel || this.o.isOwn(m.processId)) return;
      this.fire(m.payload ?? '');
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    void (async () => {
      try {
        await client.connect();
        await client.query(`LISTEN "${this.o.channel}"`);
      } catch {
        return this.lost(client);
      }
      if (this.client !== client) return;
      this.up = true;
      this.backoffMs = FIRST_BACKOFF_MS;
      // Appends made while we were not listening (before the first LISTEN, or while reconnecting) were never
      // announced to us: let every watcher catch up once.
      for (const store of [...this.watchers.keys()]) this.fire(store);
    })();
  }

  /** The LISTEN connection failed or dropped: reconnect with backoff. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.up = false;
    client.end().catch(() => {});
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.start();
    }, this.backoffMs);
    this.reconnectTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}
