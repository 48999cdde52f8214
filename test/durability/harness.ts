import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startGater, type Gater } from '../../src/gateway/index.js';
import { createStorage } from '../../src/node/storage/index.js';
import type { EventRecord } from '../../src/core/types.js';
import { randomGossipPort, spawnNode, waitFor, type NodeProcess } from '../helpers/cluster.js';
import { testPgUrl } from '../helpers/postgres.js';

/**
 * Shared pieces of the durability tests: real `ex-esdb-console node` processes (spawned from dist/, so run
 * `npm run build` first) on durable storage, gateways in the test process dialling them by `--connect` seeds,
 * and the bookkeeping to kill and clean up everything a file started.
 */

export const STORE = 'reg_gh';
export const COOKIE = 'cookie_dur4b1l1ty_t3st';
export const PG_URL = testPgUrl();

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A durable storage kind: hands out fresh storage specs and removes them all at the end. */
export interface Backend {
  readonly kind: 'sqlite' | 'postgres';
  /** A storage spec no other test uses (a new SQLite file, or a new PostgreSQL schema). */
  fresh(): string;
  cleanup(): Promise<void>;
}

export function sqliteBackend(): Backend {
  let dir: string | undefined;
  let n = 0;
  return {
    kind: 'sqlite',
    fresh() {
      dir ??= mkdtempSync(join(tmpdir(), 'ex-esdb-dur-'));
      return `sqlite:${join(dir, `store-${++n}.db`)}`;
    },
    async cleanup() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function postgresBackend(): Backend {
  const schemas: string[] = [];
  return {
    kind: 'postgres',
    fresh() {
      const schema = `dur_${randomBytes(6).toString('hex')}`;
      schemas.push(schema);
      const u = new URL(PG_URL);
      u.searchParams.set('schema', schema);
      return u.toString();
    },
    async cleanup() {
      if (schemas.length === 0) return;
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      try {
        // Killed nodes' backends end as soon as PostgreSQL notices their sockets closed; DROP waits for their locks.
        await admin.query('SET lock_timeout = 10000');
        for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** The checkpoint of subscription `name` as the storage holds it (read after its node is gone, so it is final). */
export async function storedCheckpoint(spec: string, store: string, name: string): Promise<number | undefined> {
  const storage = await createStorage(spec);
  try {
    return (await storage.listSubscriptions(store)).find((s) => s.name === name)?.checkpoint;
  } finally {
    await storage.close();
  }
}

export const portOf = (address: string): number => Number(address.slice(address.lastIndexOf(':') + 1));

/** Starts nodes and gateways for one test file and tears all of them down in `cleanup` (afterAll). */
export class Harness {
  readonly gossipPort = randomGossipPort();
  readonly nodes: NodeProcess[] = [];
  readonly gaters: Gater[] = [];
  readonly logs: string[] = [];

  /** `ex-esdb-console node` on `storage`; `port` to come back where gateways dial. */
  async node(storage: string, port?: number): Promise<NodeProcess> {
    const n = await spawnNode({ cookie: COOKIE, gossipPort: this.gossipPort, heartbeatMs: 1000, storage, port });
    this.nodes.push(n);
    return n;
  }

  /** A gateway with static seeds only (no gossip). */
  async gateway(addresses: string[], noWorkersWaitMs = 1500): Promise<Gater> {
    const g = await startGater({
      connect: addresses,
      cookie: COOKIE,
      log: (level, msg) => this.logs.push(`${level} ${msg}`),
      noWorkersWaitMs,
    });
    this.gaters.push(g);
    return g;
  }

  /** Waits until `g` has an open link to every node given (by name). */
  async linked(g: Gater, ...nodes: NodeProcess[]): Promise<void> {
    await waitFor(
      () => nodes.every((n) => g.registry.links().some((l) => l.node === n.name && !l.closed)),
      10_000,
      `gateway linked to ${nodes.map((n) => n.name).join(', ')}`,
    );
  }

  /** Waits until `g` holds no open link to `node`. */
  async unlinked(g: Gater, node: NodeProcess): Promise<void> {
    await waitFor(
      () => !g.registry.links().some((l) => l.node === node.name && !l.closed),
      5000,
      `gateway unlinked from ${node.name}`,
    );
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.gaters.map((g) => g.stop().catch(() => {})));
    await Promise.all(this.nodes.map((n) => n.kill('SIGKILL')));
  }
}

/** Every event of a stream, in version order. */
export async function readStream(g: Gater, stream: string): Promise<EventRecord[]> {
  return g.api.getEvents(STORE, stream, 0, 100_000);
}

/** Sorted copy of numbers. */
export const sorted = (xs: Iterable<number>): number[] => [...xs].sort((a, b) => a - b);

/** [from, from+1, ..., to]. */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** The first missing integer of [from..to] in `have`, or undefined. */
export function firstGap(have: ReadonlySet<number>, from: number, to: number): number | undefined {
  for (let p = from; p <= to; p++) if (!have.has(p)) return p;
  return undefined;
}
