import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGaterError, type GaterError } from '../../core/errors.js';
import { createStorage } from './index.js';
import { PostgresStorage } from './postgres.js';
import { SCHEMA_VERSION } from './postgresSchema.js';
import type { PreparedEvent } from './storageAdapter.js';
import type { EventRecord } from '../../core/types.js';
import { testPgUrl } from '../../../test/helpers/postgres.js';

/**
 * Two (or more) PostgresStorage instances = two nodes sharing one database: separate pools, separate LISTEN
 * connections. Needs the real server (CI runs .ci/postgres.sh); unreachable -> these tests fail, never skip.
 */
const url = testPgUrl();
const STORE = 'reg_gh';

const admin = new pg.Pool({ connectionString: url, max: 2 });
admin.on('error', () => {});
const schemas: string[] = [];
const newSchema = () => {
  const s = `t_${randomBytes(6).toString('hex')}`;
  schemas.push(s);
  return s;
};
afterAll(async () => {
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
});

let seq = 0;
const ev = (who: string): PreparedEvent => ({
  eventId: `${who}-${++seq}`,
  eventType: 'race:v1',
  dataContentType: 1,
  metadataContentType: 1,
  data: { who },
  metadata: null,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitUntil = async (cond: () => boolean, ms = 3000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(5);
  }
};

describe('PostgresStorage shared by two nodes', () => {
  let schema: string;
  let a: PostgresStorage;
  let b: PostgresStorage;
  beforeEach(async () => {
    schema = newSchema();
    try {
      [a, b] = await Promise.all([PostgresStorage.open(url, { schema }), PostgresStorage.open(url, { schema })]);
    } catch (e) {
      throw new Error(`${(e as Error).message} (test/setup/services.ts chose this server; see README "Tests")`, {
        cause: e,
      });
    }
    await a.ensureStore(STORE);
  });
  afterEach(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('concurrent appends at one expected version through both: exactly one wins per stream', async () => {
    const streams = Array.from({ length: 20 }, (_, i) => `race-${i}`);
    for (const s of streams) await a.append(STORE, s, [ev('seed')], 'any');
    const results = await Promise.all(
      streams.flatMap((s) =>
        Array.from({ length: 8 }, (_, w) =>
          (w % 2 ? a : b).append(STORE, s, [ev(`w${w}`), ev(`w${w}`)], 0).then((r) => [s, r] as const),
        ),
      ),
    );
    for (const s of streams) {
      const mine = results.filter(([st]) => st === s).map(([, r]) => r);
      expect(mine.filter((r) => r.ok)).toHaveLength(1);
      expect(mine.filter((r) => !r.ok).every((r) => !r.ok && r.current === 2)).toBe(true);
      const stored = await b.readStream(STORE, s, 0, 10);
      expect(stored.map((e) => e.eventNumber)).toEqual([0, 1, 2]);
      expect((stored[1]!.data as { who: string }).who).toBe((stored[2]!.data as { who: string }).who);
    }
    expect(await b.headPosition(STORE)).toBe(20 * 3 - 1);
  });

  it('one event id sent through both nodes to two streams at once, amid other appends: it lands once, nothing else fails', async () => {
    // Each node gathers its appends into groups; the shared id makes the two groups wait on each other's insert,
    // and the group that loses is rolled back whole (23505) and sent again one append at a time.
    const acknowledged: EventRecord[] = [];
    for (let round = 0; round < 5; round++) {
      const shared = ev(`shared${round}`);
      const calls = [a, b].flatMap((node, n) => [
        ...Array.from({ length: 6 }, (_, i) => node.append(STORE, `bystander-${n}-${i}`, [ev('x')], 'any')),
        node.append(STORE, `claim-${round}-${n}`, [shared], 'any'),
        ...Array.from({ length: 6 }, (_, i) => node.append(STORE, `bystander-${n}-${i + 6}`, [ev('y')], 'any')),
      ]);
      const outcomes = await Promise.all(calls);
      const claims = [outcomes[6]!, outcomes[19]!];
      expect(claims.filter((o) => o.ok && !o.duplicate)).toHaveLength(1);
      expect(claims.filter((o) => !o.ok)).toEqual([{ ok: false, current: -1, duplicateEventId: shared.eventId }]);
      expect(outcomes.filter((_, i) => i !== 6 && i !== 19).every((o) => o.ok && !o.duplicate)).toBe(true);
      for (const o of outcomes) if (o.ok) acknowledged.push(...o.records);
    }
    // Followed to the head (a rolled-back group leaves its positions unused; readAll steps over such a hole once
    // no append that was running when it was met still runs): every acknowledged event once, where it was said.
    const stored: EventRecord[] = [];
    const head = await a.headPosition(STORE);
    for (let next = 0; next <= head;) {
      const got = await a.readAll(STORE, next, 10_000);
      if (got.length === 0) await sleep(25);
      else next = got.at(-1)!.position + 1;
      stored.push(...got);
    }
    const at = (records: EventRecord[]) => records.map((r) => `${r.eventId}@${r.position}`).sort();
    expect(at(stored)).toEqual(at(acknowledged));
  });

  it('first appends racing to create one stream through both: any all land in turn, no_stream exactly one wins', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, w) => (w % 2 ? a : b).append(STORE, 'born-any', [ev(`w${w}`), ev(`w${w}`)], 'any')),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => (r.ok ? r.version : -9)).sort((x, y) => x - y)).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    const stored = await a.readStream(STORE, 'born-any', 0, 99);
    expect(stored.map((e) => e.eventNumber)).toEqual([...Array(16).keys()]);
    for (let i = 0; i < 16; i += 2) expect(stored[i]!.data).toEqual(stored[i + 1]!.data); // batches stay whole
    // ...and positions follow versions, or a follower of $all would see version 2 before version 0 (20 more streams
    // born at once, to give the race a chance)
    const born = Array.from({ length: 20 }, (_, i) => `born-${i}`);
    await Promise.all(
      born.flatMap((st) =>
        Array.from({ length: 8 }, (_, w) => (w % 2 ? a : b).append(STORE, st, [ev(`w${w}`)], 'any')),
      ),
    );
    for (const st of ['born-any', ...born]) {
      const positions = (await a.readStream(STORE, st, 0, 99)).map((e) => e.position);
      expect({ st, positions }).toEqual({ st, positions: [...positions].sort((x, y) => x - y) });
    }

    const once = await Promise.all(
      Array.from({ length: 8 }, (_, w) => (w % 2 ? a : b).append(STORE, 'born-once', [ev(`w${w}`)], 'no_stream')),
    );
    expect(once.filter((r) => r.ok)).toHaveLength(1);
    expect(once.filter((r) => !r.ok)).toEqual(Array(7).fill({ ok: false, current: 0 }));
    expect((await b.getStreams(STORE)).filter((st) => st === 'born-any' || st === 'born-once')).toEqual([
      'born-any',
      'born-once',
    ]);
  });

  it('a reader following the global position never sees a gap while two nodes write', async () => {
    const reader = await PostgresStorage.open(url, { schema });
    const writes = 60;
    let writing = true;
    let cursor = 0;
    const follow = (async () => {
      while (writing || cursor < writes * 4) {
        const page = await reader.readAll(STORE, cursor, 500);
        // contiguous from the cursor: a later position is never visible before an earlier one
        expect(page.map((e) => e.position)).toEqual(page.map((_, i) => cursor + i));
        cursor += page.length;
        if (page.length === 0) await sleep(1);
      }
    })();
    await Promise.all(
      Array.from({ length: writes }, (_, i) =>
        (i % 2 ? a : b).append(STORE, `s-${i % 7}`, [ev('x'), ev('x'), ev('x'), ev('x')], 'any'),
      ),
    );
    writing = false;
    await follow;
    expect(cursor).toBe(writes * 4);
    await reader.close();
  });

  it('a hole left by a failed append is stepped over once no append that was running then is still running', async () => {
    await a.append(STORE, 'h', [ev('x')], 'any');
    const [{ id }] = (await admin.query(`SELECT id FROM "${schema}".stores WHERE name = $1`, [STORE])).rows;
    await admin.query(`SELECT nextval('"${schema}".pos_${id}')`); // a position taken by an append that then failed
    await a.append(STORE, 'h', [ev('y')], 'any');
    const reader = await PostgresStorage.open(url, { schema });
    let calls = 0;
    reader.watch(STORE, () => calls++);
    expect((await reader.readAll(STORE, 0, 10)).map((e) => e.position)).toEqual([0]); // stops at the hole
    await waitUntil(() => calls > 0, 10_000); // and calls watchers again soon, so followers look again
    expect((await reader.readAll(STORE, 1, 10)).map((e) => e.position)).toEqual([2]);
    await reader.close();
  });

  it('NOTIFY tells the other node about appends (not its own), and LISTEN comes back after its connection dies', async () => {
    let calls = 0;
    const stop = a.watch(STORE, () => calls++);
    await a.whenListening();
    // once LISTEN is up, watchers are told once to catch up on what may have been appended before it
    await waitUntil(() => calls === 1, 10_000);
    calls = 0;
    await a.append(STORE, 'mine', [ev('a')], 'any');
    await sleep(250);
    expect(calls).toBe(0);
    // Only a NOTIFY calls this watcher (no polling here), so its arriving at all is the proof; the deadline only
    // bounds a failure.
    await b.append(STORE, 'theirs', [ev('b')], 'any');
    await waitUntil(() => calls > 0, 10_000);

    const listenQuery = `LISTEN "ex_esdb_append_${schema}"`;
    const listeners = async () =>
      (await admin.query(`SELECT pid FROM pg_stat_activity WHERE query = $1`, [listenQuery])).rows.map(
        (r) => r.pid as number,
      );
    const [old] = await listeners();
    expect(old).toBeGreaterThan(0);
    await admin.query('SELECT pg_terminate_backend($1)', [old]);
    // a new LISTEN connection replaces the killed one
    for (const until = Date.now() + 3000; ; await sleep(20)) {
      const now = await listeners();
      if (now.length === 1 && now[0] !== old) break;
      if (Date.now() > until) throw new Error('LISTEN connection did not come back');
    }
    await a.whenListening();
    calls = 0;
    await b.append(STORE, 'theirs', [ev('b')], 'any');
    await waitUntil(() => calls > 0, 10_000);
    stop();
  });

  it('subscriptions, checkpoints, parked events and snapshots saved by one are seen by the other; retries are idempotent', async () => {
    const sub = {
      key: 'k',
      type: 'by_event_type' as const,
      selector: 'race:v1',
      name: 'n',
      startFrom: 0,
      checkpoint: 0,
      ackTimeoutMs: 30000,
      maxRetries: 10,
    };
    await a.saveSubscription(STORE, sub);
    await b.saveCheckpoint(STORE, 'k', 9);
    expect(await a.listSubscriptions(STORE)).toEqual([{ ...sub, checkpoint: 9 }]);
    await b.parkEvent(STORE, 'k', {
      subscription: 'n',
      position: 1,
      eventId: 'e',
      eventStreamId: 's',
      eventNumber: 1,
      reason: 'r',
      retries: 10,
      parkedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(await a.listParked(STORE, 'k')).toHaveLength(1);
    const snapshot = {
      sourceUuid: 'u',
      streamUuid: 'v',
      version: 2,
      record: { z: 1, a: 2 },
      created: new Date().toISOString(),
    };
    await a.recordSnapshot(STORE, snapshot);
    expect(await b.readSnapshot(STORE, 'u', 'v', 2)).toEqual(snapshot);
    const batch = [ev('a'), ev('a')];
    expect(await a.append(STORE, 'd', batch, 'no_stream')).toMatchObject({ ok: true, version: 1, duplicate: false });
    expect(await b.append(STORE, 'd', batch, 'no_stream')).toMatchObject({ ok: true, version: 1, duplicate: true });
    expect(await b.listStores()).toEqual([STORE]);
  });
});

describe('PostgresStorage schema and errors', () => {
  it('nodes starting together on a fresh schema migrate it once; schema_migrations records the version', async () => {
    const schema = newSchema();
    const nodes = await Promise.all(Array.from({ length: 4 }, () => PostgresStorage.open(url, { schema })));
    const rows = (await admin.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).rows as {
      version: number;
    }[];
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    // one storage id per schema (DESIGN §8): every node on it announces the same, another schema has its own
    const ids = await Promise.all(nodes.map((n) => n.storageId()));
    expect(ids[0]).toMatch(/^pg-[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(1);
    const elsewhere = await PostgresStorage.open(url, { schema: newSchema() });
    expect(await elsewhere.storageId()).not.toBe(ids[0]);
    await elsewhere.close();
    await Promise.all(nodes.map((n) => n.close()));
    // `?schema=` in the spec picks the schema too
    const u = new URL(url);
    u.searchParams.set('schema', schema);
    const viaSpec = await createStorage(u.toString());
    expect((viaSpec as PostgresStorage).schema).toBe(schema);
    expect(viaSpec.target).toContain(`schema=${schema}`);
    await viaSpec.close();
  });

  it('a database whose event-id index is not unique (duplicates from before version 4) still refuses stored ids', async () => {
    const schema = newSchema();
    await (await PostgresStorage.open(url, { schema })).close();
    await admin.query(`DROP INDEX "${schema}".events_event_id;
                       CREATE INDEX events_event_id ON "${schema}".events (store_id, event_id)`);
    const s = await PostgresStorage.open(url, { schema });
    try {
      const batch = [ev('legacy'), ev('legacy')];
      expect(await s.append(STORE, 'l', batch, 'any')).toMatchObject({ ok: true, version: 1 });
      expect(await s.append(STORE, 'l', batch, 'any')).toMatchObject({ ok: true, version: 1, duplicate: true });
      expect(await s.append(STORE, 'other', [ev('legacy'), batch[1]!], 'any')).toEqual({
        ok: false,
        current: -1,
        duplicateEventId: batch[1]!.eventId,
      });
      expect((await s.readAll(STORE, 0, 10)).map((e) => e.eventId)).toEqual(batch.map((e) => e.eventId));
    } finally {
      await s.close();
    }
  });

  it('an unreachable server gives the one-line message with the password masked', async () => {
    const err = await createStorage('postgres://postgres:hunter2@127.0.0.1:1/test').catch((e: unknown) => e);
    expect(isGaterError(err, 'connection_closed')).toBe(true);
    expect((err as GaterError).message).toBe(
      'cannot reach PostgreSQL at postgres://postgres:***@127.0.0.1:1/test: ECONNREFUSED. Is the server running?',
    );
  });

  it('a missing database and a bad schema name are explained', async () => {
    const u = new URL(url);
    u.pathname = '/no_such_db_ex_esdb';
    const err = await createStorage(u.toString()).catch((e: unknown) => e);
    expect(isGaterError(err, 'connection_closed')).toBe(true);
    expect((err as GaterError).message).toMatch(
      /^cannot reach PostgreSQL at .*no_such_db_ex_esdb: .*does not exist\. Create the database or fix the URL\.$/,
    );
    expect(() => new PostgresStorage(url, { schema: 'x; drop table y' })).toThrow(/invalid PostgreSQL schema/);
  });
});

describe('PostgresStorage append: the event-id check reads only the event-id index', () => {
  it('no append scans the store through another index, however many events it holds', async () => {
    const schema = newSchema();
    const a = await PostgresStorage.open(`${url}?schema=${schema}`);
    try {
      await a.ensureStore(STORE);
      // Metadata with correlation ids, as greenhouse events carry: the correlation index leads with store_id too.
      const batch = (i: number): PreparedEvent[] =>
        Array.from({ length: 20 }, (_, j) => ({
          ...ev(`b${i}x${j}`),
          metadata: { correlation_id: `c${i}`, causation_id: `c${i}` },
        }));
      const one = () => [{ ...ev('one'), metadata: { correlation_id: 'c1' } }];
      for (let i = 0; i < 10; i++) await a.append(STORE, `s${i % 5}`, one(), 'any');
      const batches = Array.from({ length: 60 }, (_, i) => batch(i));
      for (const [i, b] of batches.entries()) await a.append(STORE, `s${i % 5}`, b, 'any');
      // ...and every batch again: the full analysis of stored ids reads the event-id index only, too.
      for (const [i, b] of batches.entries())
        expect(await a.append(STORE, `s${i % 5}`, b, 'any')).toMatchObject({ ok: true, duplicate: true });
      // ...which took no positions: a re-sent batch leaves no hole for live followers to wait at
      const next = await a.append(STORE, 's0', [ev('after')], 'any');
      expect(next.ok && next.records.map((r) => r.position)).toEqual([10 + 60 * 20]);
      // batches of one have a probe of their own, planned once on a connection (here while the store was empty)
      for (let i = 0; i < 30; i++) await a.append(STORE, `s${i % 5}`, one(), 'any');
      const stats = async () =>
        Object.fromEntries(
          (
            await admin.query<{ indexrelname: string; idx_scan: string; idx_tup_read: string }>(
              `SELECT indexrelname, idx_scan, idx_tup_read FROM pg_stat_user_indexes
                WHERE schemaname = $1 AND relname = 'events'`,
              [schema],
            )
          ).rows.map((r) => [r.indexrelname, { scans: Number(r.idx_scan), read: Number(r.idx_tup_read) }]),
        );
      // Backends report their statistics when idle, within about a second.
      let s = await stats();
      for (let i = 0; i < 100 && (s.events_event_id?.scans ?? 0) < 60 * 20; i++) {
        await sleep(100);
        s = await stats();
      }
      expect(s.events_event_id?.scans).toBeGreaterThanOrEqual(60 * 20); // one lookup per event id
      for (const other of ['events_pkey', 'events_stream_version', 'events_correlation', 'events_causation'])
        expect({ index: other, read: s[other]?.read }).toEqual({ index: other, read: 0 });
    } finally {
      await a.close();
    }
  }, 60_000);
});

describe('PostgresStorage append: appends made at once on one node go as one statement (group commit)', () => {
  let a: PostgresStorage;
  let statements: string[];
  beforeEach(async () => {
    a = await PostgresStorage.open(url, { schema: newSchema() });
    await a.ensureStore(STORE);
    // Which statements the appends used, from the adapter's own pool (the queries still run on the real server).
    const pool = (a as unknown as { pool: pg.Pool }).pool;
    const query = pool.query.bind(pool) as (config: { name?: string }) => Promise<unknown>;
    statements = [];
    (pool as unknown as { query: typeof query }).query = (config) => {
      if (config.name?.startsWith('esdb_append')) statements.push(config.name);
      return query(config);
    };
  });
  afterEach(async () => {
    await a?.close();
  });

  const positionsInStore = async () =>
    (await a.readAll(STORE, 0, 1000)).map((r) => `${r.eventStreamId}@${r.eventNumber}`);

  it('each append of a group gets the outcome it would get alone, in the order the appends were made', async () => {
    const first = [ev('a0')];
    const resent = [ev('b0'), ev('b1')];
    const calls = [
      a.append(STORE, 'g-a', first, 'no_stream'), // alone: nothing else was waiting
      a.append(STORE, 'g-b', resent, 'no_stream'),
      a.append(STORE, 'g-a', [ev('a1')], 0), // the rest wait for the next turn and go together
      a.append(STORE, 'g-a', [ev('a-late')], 0), // its stream moved to 1 just before it, in the same group
      a.append(STORE, 'g-b', resent, 'any'), // the same events again: deduplicated, no new positions
      a.append(STORE, 'g-c', [ev('c0'), first[0]!], 'any'), // an id g-a holds
      a.append(STORE, 'g-0', [ev('z0')], 'any'), // sorts before the others: the group runs by stream
    ];
    const outcomes = await Promise.all(calls);
    expect(statements).toEqual(['esdb_append', 'esdb_append_many']);
    const summary = outcomes.map((o) =>
      o.ok ? `ok v${o.version}${o.duplicate ? ' duplicate' : ''} ${o.records.map((r) => r.position).join(',')}` : o,
    );
    expect(summary.slice(1)).toEqual([
      expect.stringMatching(/^ok v1 \d+,\d+$/),
      expect.stringMatching(/^ok v1 \d+$/),
      { ok: false, current: 1 },
      'ok v1 duplicate ',
      { ok: false, current: -1, duplicateEventId: first[0]!.eventId },
      expect.stringMatching(/^ok v0 \d+$/),
    ]);
    // Every position taken was written, none twice, and each record says where its event is.
    const all = await a.readAll(STORE, 0, 1000);
    expect(all.map((r) => r.position)).toEqual([0, 1, 2, 3, 4]);
    const written = outcomes.flatMap((o) => (o.ok ? o.records : []));
    expect(written.map((r) => `${r.eventId}@${r.position}`).sort()).toEqual(
      all.map((r) => `${r.eventId}@${r.position}`).sort(),
    );
    expect(await positionsInStore()).toEqual(['g-a@0', 'g-0@0', 'g-a@1', 'g-b@0', 'g-b@1']);
  });

  it('an append the server refuses fails alone: the rest of its group is written, nothing of it is', async () => {
    await a.append(STORE, 'warm', [ev('w')], 'any');
    statements = [];
    const poisoned = { ...ev('bad'), eventType: 'bad\u0000type' }; // text cannot hold NUL: the server refuses it
    const calls = [
      a.append(STORE, 'p-1', [ev('p1')], 'any'),
      a.append(STORE, 'p-2', [ev('p2')], 'any'),
      a.append(STORE, 'p-3', [ev('p3a'), poisoned], 'any'),
      a.append(STORE, 'p-4', [ev('p4')], 'no_stream'),
    ];
    const results = await Promise.allSettled(calls);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    // p-1 went alone, the other three together; that group statement failed as a whole, then its appends went
    // one by one.
    expect(statements).toEqual(['esdb_append', 'esdb_append_many', 'esdb_append', 'esdb_append', 'esdb_append']);
    const streams = (await a.readAll(STORE, 0, 1000)).map((r) => r.eventStreamId);
    expect(streams).toEqual(['warm', 'p-1', 'p-2', 'p-4']);
    expect((await a.readAll(STORE, 0, 1000)).map((r) => r.position)).toEqual([0, 1, 2, 3]);
  });
});

describe('PostgresStorage append: a stream whose row is held does not hold up other streams', () => {
  it('appends to other streams, made at the same moment on the same node, complete while it waits', async () => {
    const schema = newSchema();
    const a = await PostgresStorage.open(url, { schema, lockTimeoutMs: 30_000 });
    const holder = await admin.connect();
    try {
      await a.ensureStore(STORE);
      for (const st of ['held-1', 'held-2', 'free-0']) await a.append(STORE, st, [ev('seed')], 'any');
      // Another session (an operator's transaction, a stalled tool) holds two stream rows.
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM "${schema}".streams WHERE stream IN ('held-1', 'held-2') FOR UPDATE`);
      // Each alone, in turns of their own: two statements, as many as the node runs at once for a store.
      const held = [a.append(STORE, 'held-1', [ev('h1')], 0)];
      await sleep(5);
      held.push(a.append(STORE, 'held-2', [ev('h2')], 0));
      await sleep(5);
      // Made while the held appends wait, in the same turn and in later ones, more than two statements' worth. The
      // first round also holds one more append to a held stream: in one group with four free ones, which must not
      // wait with it (the group meets the held row, gives up after its short lock timeout, and goes one by one).
      const free: Promise<unknown>[] = [];
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 4; i++) free.push(a.append(STORE, `free-${i}`, [ev(`f${round}`)], 'any'));
        if (round === 0) held.push(a.append(STORE, 'held-2', [ev('h2b')], 'any'));
        await sleep(20);
      }
      let heldDone = false;
      void Promise.allSettled(held).then(() => (heldDone = true));
      const deadline = sleep(10_000).then(() => 'still waiting after 10 s');
      expect(await Promise.race([Promise.all(free).then(() => 'done'), deadline])).toBe('done');
      expect(heldDone).toBe(false); // they still wait for the rows...
      await holder.query('COMMIT');
      // ...and land once the rows are free, at the versions they expected
      expect((await Promise.all(held)).map((o) => o.ok && o.version).sort()).toEqual([1, 1, 2]);
      expect((await a.readStream(STORE, 'free-0', 0, 99)).map((e) => e.eventNumber)).toEqual([0, 1, 2, 3]);
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      holder.release();
      await a.close();
    }
  }, 60_000);
});
