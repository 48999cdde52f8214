import { afterAll, describe, expect, it } from 'vitest';
import { toGaterError } from '../../src/core/errors.js';
import type { EventRecord, NewEvent } from '../../src/core/types.js';
import type { Gater } from '../../src/gateway/index.js';
import { waitFor, type NodeProcess } from '../helpers/cluster.js';
import { Harness, portOf, postgresBackend, range, readStream, sleep, sorted, STORE } from './harness.js';

/**
 * DESIGN §8: two store nodes on one PostgreSQL schema host the same store. Appends made through one node reach
 * subscriptions held through the other (LISTEN/NOTIFY), and when either node is SIGKILLed the other keeps serving
 * the store: calls fail over, nothing acknowledged is lost, a named subscription moves over from its checkpoint.
 * Needs `npm run build` (nodes run dist/) and the PostgreSQL test server (testPgUrl).
 */

const BATCH = 5;
const eventId = (stream: string, batch: number, i: number) => `${stream}:b${batch}:e${i}`;
const batchOf = (stream: string, batch: number): NewEvent[] =>
  range(0, BATCH - 1).map((i) => ({
    eventType: 'shared_probe:v1',
    eventId: eventId(stream, batch, i),
    data: { stream, batch, i },
  }));

/** Appends `batches` batches to `stream` through `g`, one after the other; returns the ids written. */
async function appendBatches(g: Gater, stream: string, batches: number): Promise<string[]> {
  for (let b = 0; b < batches; b++) await g.api.appendEvents(STORE, stream, batchOf(stream, b));
  return range(0, batches - 1).flatMap((b) => range(0, BATCH - 1).map((i) => eventId(stream, b, i)));
}

describe('two nodes sharing one PostgreSQL schema', () => {
  const backend = postgresBackend();
  const h = new Harness();
  afterAll(async () => {
    await h.cleanup();
    await backend.cleanup();
  });

  it('appends through node B reach a subscription held through node A, and the other way round; A serves on when B is killed', async () => {
    const storage = backend.fresh();
    const [a, b] = await Promise.all([h.node(storage), h.node(storage)]);
    const ga = await h.gateway([a.address]);
    const gb = await h.gateway([b.address]);
    await h.linked(ga, a);
    await h.linked(gb, b);
    expect(ga.registry.links().map((l) => l.node)).toEqual([a.name]);
    expect(gb.registry.links().map((l) => l.node)).toEqual([b.name]);

    const seenViaA: EventRecord[] = [];
    await ga.api.saveSubscription(STORE, 'by_stream', '$all', 'transient', 0, (evs) => seenViaA.push(...evs));
    const t0 = Date.now();
    const fromB = await appendBatches(gb, 'written-via-b', 20);
    await waitFor(() => seenViaA.length >= fromB.length, 5000, `${fromB.length} events from B seen through A`);
    console.info(
      `[postgres] 100 events appended through B reached A's subscriber ${Date.now() - t0} ms after the first append`,
    );
    expect(seenViaA.map((e) => e.eventId)).toEqual(fromB);
    expect(seenViaA.map((e) => e.position)).toEqual(range(0, fromB.length - 1));

    // The other way: a live view held through B (from the current head) sees what is appended through A.
    const head = await gb.api.getHeadPosition(STORE);
    const seenViaB: EventRecord[] = [];
    await gb.api.saveSubscription(STORE, 'by_stream', '$all', 'transient', head + 1, (evs) => seenViaB.push(...evs));
    const fromA = await appendBatches(ga, 'written-via-a', 20);
    await waitFor(
      () => seenViaB.length >= fromA.length && seenViaA.length >= fromB.length + fromA.length,
      5000,
      'events from A seen through B',
    );
    expect(seenViaB.map((e) => e.eventId)).toEqual(fromA);
    expect(seenViaA.map((e) => e.eventId)).toEqual([...fromB, ...fromA]);

    // SIGKILL B: A and its subscription carry on, and everything acknowledged through either node is there.
    await b.kill('SIGKILL');
    await h.unlinked(gb, b);
    const more = await appendBatches(ga, 'after-b-died', 10);
    await waitFor(() => seenViaA.length >= fromB.length + fromA.length + more.length, 5000, 'A still delivers');
    expect(seenViaA.map((e) => e.eventId)).toEqual([...fromB, ...fromA, ...more]);
    expect(seenViaA.map((e) => e.position)).toEqual(range(0, seenViaA.length - 1));
    expect((await readStream(ga, 'written-via-b')).map((e) => e.eventId)).toEqual(fromB);
    expect((await readStream(ga, 'written-via-a')).map((e) => e.eventId)).toEqual(fromA);
    expect(seenViaB.length).toBe(fromA.length); // nothing arrives through a dead node
  });

  it('one gateway linked to both: SIGKILL either node mid-load and the other serves on; nothing acknowledged is lost; the named subscription moves without a gap', async () => {
    const storage = backend.fresh();
    const [a, b] = await Promise.all([h.node(storage), h.node(storage)]);
    const g = await h.gateway([a.address, b.address], 3000);
    await h.linked(g, a, b);

    // A named subscription, acked a little after each delivery (so some are always in flight).
    const NAME = 'shared_sub';
    const delivered: number[] = [];
    let ackFailures = 0;
    const subscriber = (events: EventRecord[]) => {
      for (const e of events) {
        delivered.push(e.position);
        setTimeout(() => {
          g.api.ackEvent(STORE, NAME, subscriber, e).catch(() => ackFailures++);
        }, 20);
      }
    };
    await g.api.saveSubscription(STORE, 'by_stream', '$all', NAME, 0, subscriber, {
      ackTimeoutMs: 5000,
      maxRetries: 10,
    });

    // Writers: one sequential writer per stream; each append is read back at once (from whichever node).
    const streams = ['load-a', 'load-b', 'load-c'];
    const acked = new Map<string, number>(streams.map((s) => [s, 0]));
    const failures: string[] = [];
    let stop = false;
    const writer = async (stream: string) => {
      for (let n = 0; !stop; n++) {
        try {
          const version = await g.api.appendEvents(STORE, stream, batchOf(stream, n));
          expect(version).toBe(n * BATCH + BATCH - 1);
          acked.set(stream, n + 1);
          const back = await g.api.getEvents(STORE, stream, version - BATCH + 1, BATCH);
          expect(back.map((e) => e.eventId)).toEqual(batchOf(stream, n).map((e) => e.eventId));
        } catch (e) {
          failures.push(`${stream} batch ${n}: ${toGaterError(e).code}: ${toGaterError(e).message}`);
          return;
        }
        await sleep(5);
      }
    };
    const writers = streams.map(writer);
    const total = () => [...acked.values()].reduce((x, y) => x + y, 0);

    const killMidLoad = async (victim: NodeProcess, survivor: NodeProcess) => {
      const base = total();
      await waitFor(() => total() >= base + 30, 10_000, '30 more acknowledged batches');
      await victim.kill('SIGKILL');
      await h.unlinked(g, victim);
      const atDeath = total();
      await waitFor(() => total() >= atDeath + 30, 10_000, `30 batches acknowledged by ${survivor.name} alone`);
      expect(g.registry.links().map((l) => l.node)).toEqual([survivor.name]);
    };

    await killMidLoad(b, a);
    // B comes back where the gateway dials it; then A dies.
    const b2 = await h.node(storage, portOf(b.address));
    await h.linked(g, b2);
    await killMidLoad(a, b2);
    stop = true;
    await Promise.all(writers);
    expect(failures).toEqual([]);

    // Everything acknowledged is stored once, in order, in whole batches, each event at a position of its own.
    // Positions come from a sequence (postgresSchema.ts): an append the kill cut short used its positions and
    // committed nothing, so the store may hold a hole there for ever; followers step over it once no append that
    // could fill it is running.
    const positions: number[] = [];
    for (const s of streams) {
      const evs = await readStream(g, s);
      const n = acked.get(s)!;
      expect(evs.map((e) => e.eventId)).toEqual(range(0, n - 1).flatMap((k) => batchOf(s, k).map((e) => e.eventId)));
      expect(evs.map((e) => e.eventNumber)).toEqual(range(0, n * BATCH - 1));
      positions.push(...evs.map((e) => e.position));
    }
    const head = await g.api.getHeadPosition(STORE);
    const stored = sorted(positions);
    expect(new Set(stored).size).toBe(stored.length);
    expect(stored.at(-1)).toBe(head);
    // holes only from appends in flight at a kill: at most one per writer per kill, a batch each
    expect(head + 1 - stored.length).toBeLessThanOrEqual(2 * streams.length * BATCH);

    // The subscription delivered every event at least once (it moved at least once: A served it or took it over
    // from B, and A died) and its checkpoint reaches the head.
    const deliveredAll = () => {
      const seen = new Set(delivered);
      return stored.every((p) => seen.has(p));
    };
    await waitFor(
      async () =>
        deliveredAll() && (await g.api.getSubscriptions(STORE)).find((s) => s.name === NAME)?.checkpoint === head + 1,
      8000,
      'subscription caught up and acked',
    );
    const info = (await g.api.getSubscriptions(STORE)).find((s) => s.name === NAME)!;
    expect(info).toMatchObject({ persistent: true, active: true, checkpoint: head + 1, parked: 0, lag: 0 });
    console.info(
      `[postgres] ${stored.length} events under two kills (${head + 1 - stored.length} positions left unused); ${delivered.length - stored.length} redelivered; ${ackFailures} acks lost in the kills`,
    );
  });
});
