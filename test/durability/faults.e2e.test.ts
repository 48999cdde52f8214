import { afterAll, describe, expect, it } from 'vitest';
import { toGaterError } from '../../src/core/errors.js';
import type { EventRecord, NewEvent } from '../../src/core/types.js';
import { startGater, type Gater } from '../../src/gateway/index.js';
import { waitFor, type NodeProcess } from '../helpers/cluster.js';
import { COOKIE, Harness, postgresBackend, sleep, sqliteBackend, STORE } from './harness.js';

/**
 * Issue 10 "Done when": concurrent writers with expected versions while one node is SIGKILLed and another paused
 * (SIGSTOP), then every acknowledged event is read back once, identical, from every live node of the serving
 * storage group — for a memory cluster (three separate storages: the faults hit the two standby groups), a shared
 * SQLite file and a shared PostgreSQL schema (the faults hit nodes of the serving group itself).
 * Needs `npm run build` (nodes run dist/) and the PostgreSQL test server (testPgUrl).
 */

const WRITERS = 4;
const STREAMS = ['fault-a', 'fault-b'];
/** Batches acknowledged before each fault and after it, so every phase really ran writes (however slow the box). */
const BATCHES_PER_PHASE = 25;
/** How long the paused node stays stopped: the fault itself, longer than the gateway's 1 s call timeout. */
const PAUSE_MS = 2500;

interface Acked {
  stream: string;
  ids: string[];
  data: unknown[];
}

/**
 * One writer: appends batches of 1–3 events to a contended stream at the version it read. A batch keeps its event
 * ids until it is acknowledged: a wrong expected version re-reads the version, an unknown outcome (timeout, lost
 * connection, no worker yet) re-sends the same ids — which the store deduplicates — so nothing is written twice.
 */
async function writer(g: Gater, w: number, until: () => boolean, acked: Acked[], errors: string[]): Promise<number> {
  let attempts = 0;
  for (let seq = 0; !until(); seq++) {
    const stream = STREAMS[(w + seq) % STREAMS.length]!;
    const size = 1 + ((w + seq) % 3);
    const events: NewEvent[] = Array.from({ length: size }, (_, k) => ({
      eventType: 'fault_probe:v1',
      eventId: `w${w}-s${seq}-e${k}`,
      data: { w, seq, k, text: `writer ${w} batch ${seq} event ${k}` },
    }));
    let expected: number | undefined;
    for (;;) {
      attempts++;
      try {
        expected ??= await g.api.getVersion(STORE, stream);
        await g.api.appendEvents(STORE, stream, events, expected);
        acked.push({ stream, ids: events.map((e) => e.eventId!), data: events.map((e) => e.data) });
        break;
      } catch (e) {
        const err = toGaterError(e);
        if (err.code === 'wrong_expected_version') expected = undefined;
        else if (!['timeout', 'connection_closed', 'no_workers'].includes(err.code)) {
          errors.push(`${err.code}: ${err.message}`);
          return attempts;
        }
        if (until() && err.code !== 'wrong_expected_version') return attempts; // outcome unknown: not acknowledged
        await sleep(10);
      }
    }
  }
  return attempts;
}

/** Every event of every probed stream as one node alone serves it (a gateway linked to that node only). */
async function readAllOn(h: Harness, node: NodeProcess): Promise<Record<string, EventRecord[]>> {
  const g = await h.gateway([node.address], 5000);
  await h.linked(g, node);
  const out: Record<string, EventRecord[]> = {};
  for (const s of STREAMS) out[s] = await g.api.getEvents(STORE, s, 0, 100_000);
  await g.stop();
  return out;
}

async function faultRun(h: Harness, storages: string[]) {
  const nodes = await Promise.all(storages.map((s) => h.node(s)));
  // A short call timeout: calls to the paused node time out (outcome unknown) and are re-sent elsewhere with the
  // same event ids, while the paused node still holds the first copy and runs it when it wakes up.
  const g = await startGater({
    connect: nodes.map((n) => n.address),
    cookie: COOKIE,
    timeoutMs: 1000,
    log: (level, msg) => h.logs.push(`${level} ${msg}`),
    noWorkersWaitMs: 4000,
  });
  h.gaters.push(g);
  await h.linked(g, ...nodes);
  // Let the gateway choose the serving group, then aim the faults: at standby groups when the storages differ,
  // at the serving group itself when all share one storage.
  await g.api.getVersion(STORE, STREAMS[0]!);
  const serving = g.registry.groups(STORE).find((x) => x.active)!;
  const shared = serving.nodes.length === nodes.length;
  const targets = shared ? nodes.slice(0, 2) : nodes.filter((n) => !serving.nodes.includes(n.name));
  const [victim, paused] = [targets[0]!, targets[1]!];

  const acked: Acked[] = [];
  const errors: string[] = [];
  let stop = false;
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(g, w, () => stop, acked, errors));
  // The schedule follows the writes, not the clock: each fault comes once enough batches went through.
  const moreBatches = (phase: string) => {
    const target = acked.length + BATCHES_PER_PHASE;
    return waitFor(() => acked.length >= target || errors.length > 0, 20_000, `${BATCHES_PER_PHASE} batches ${phase}`);
  };
  await moreBatches('before the kill');
  await victim.kill('SIGKILL');
  await moreBatches('after the kill');
  paused.proc.kill('SIGSTOP');
  await sleep(PAUSE_MS);
  paused.proc.kill('SIGCONT');
  await moreBatches('after the pause');
  stop = true;
  const attempts = (await Promise.all(writers)).reduce((a, b) => a + b, 0);

  const live = nodes.filter((n) => n !== victim && (shared || serving.nodes.includes(n.name)));
  const views = await Promise.all(live.map((n) => readAllOn(h, n)));
  return { acked, errors, attempts, views, live, shared };
}

function check(run: Awaited<ReturnType<typeof faultRun>>, label: string): void {
  const { acked, errors, views } = run;
  const ackedEvents = acked.reduce((n, a) => n + a.ids.length, 0);
  console.info(
    `[${label}] ${acked.length} batches (${ackedEvents} events) acknowledged in ${run.attempts} attempts; read back from ${run.live.length} node(s)`,
  );
  expect(errors).toEqual([]);
  expect(acked.length).toBeGreaterThan(20);
  // every node of the serving group answers exactly the same
  for (const v of views.slice(1)) expect(v).toEqual(views[0]);
  const view = views[0]!;
  for (const s of STREAMS) {
    const evs = view[s] ?? [];
    expect(evs.map((e) => e.eventNumber)).toEqual(evs.map((_, i) => i)); // contiguous
    expect(new Set(evs.map((e) => e.eventId)).size).toBe(evs.length); // nothing twice
  }
  const byId = new Map(STREAMS.flatMap((s) => (view[s] ?? []).map((e) => [e.eventId, e] as const)));
  for (const a of acked) {
    const stored = a.ids.map((id) => byId.get(id));
    expect(stored.map((e) => e?.eventStreamId)).toEqual(a.ids.map(() => a.stream)); // each acknowledged id, once
    expect(stored.map((e) => e?.data)).toEqual(a.data); // exactly as written
    // a batch is contiguous: atomic, not interleaved with another writer's events
    const numbers = stored.map((e) => e!.eventNumber);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
  }
}

describe('faults under concurrent writers: kill one node, pause another, lose and duplicate nothing', () => {
  const h = new Harness();
  const sqlite = sqliteBackend();
  const postgres = postgresBackend();
  afterAll(async () => {
    await h.cleanup();
    await sqlite.cleanup();
    await postgres.cleanup();
  });

  it('memory cluster: the store is served by one group; killing and pausing the standby nodes changes nothing', async () => {
    const run = await faultRun(h, ['memory', 'memory', 'memory']);
    expect(run.shared).toBe(false);
    check(run, 'memory');
  });

  it('three nodes on one SQLite file', async () => {
    const file = sqlite.fresh();
    const run = await faultRun(h, [file, file, file]);
    expect(run.shared).toBe(true);
    check(run, 'sqlite');
  });

  it('three nodes on one PostgreSQL schema', async () => {
    const schema = postgres.fresh();
    const run = await faultRun(h, [schema, schema, schema]);
    expect(run.shared).toBe(true);
    check(run, 'postgres');
  });
});
