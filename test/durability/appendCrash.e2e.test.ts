import { afterAll, describe, expect, it } from 'vitest';
import { toGaterError } from '../../src/core/errors.js';
import type { NewEvent } from '../../src/core/types.js';
import { waitFor } from '../helpers/cluster.js';
import {
  Harness,
  portOf,
  postgresBackend,
  range,
  readStream,
  sorted,
  sqliteBackend,
  STORE,
  type Backend,
} from './harness.js';

/**
 * DESIGN §4.2/§4.3/§8: a store node SIGKILLed in the middle of a stream of appends loses nothing it acknowledged,
 * never leaves half a batch, and keeps versions and global positions gapless once restarted on the same storage.
 * Needs `npm run build` (nodes run dist/) and, for the postgres half, the PostgreSQL test server (testPgUrl).
 */

const BATCH = 5;
const STREAMS = ['dur-a', 'dur-b', 'dur-c'];
const eventId = (stream: string, batch: number, i: number) => `${stream}:b${batch}:e${i}`;
const batchOf = (stream: string, batch: number): NewEvent[] =>
  range(0, BATCH - 1).map((i) => ({
    eventType: 'durability_probe:v1',
    eventId: eventId(stream, batch, i),
    data: { stream, batch, i },
  }));

function appendCrashSuite(backend: Backend): void {
  describe(`SIGKILL mid-append, ${backend.kind} storage`, () => {
    const h = new Harness();
    afterAll(async () => {
      await h.cleanup();
      await backend.cleanup();
    });

    it('every acknowledged batch survives, none is half-written, versions and positions stay contiguous, a retry writes no duplicate', async () => {
      const storage = backend.fresh();
      const first = await h.node(storage);
      const g = await h.gateway([first.address]);
      await h.linked(g, first);

      // One sequential writer per stream (so batch k sits at versions 5k..5k+4), all three running concurrently.
      const acked = new Map<string, { batch: number; version: number }[]>(STREAMS.map((s) => [s, []]));
      const failed = new Map<string, { batch: number; code: string }>();
      let stop = false;
      const inFlight = new Set<string>();
      const writer = async (stream: string) => {
        for (let b = 0; !stop; b++) {
          inFlight.add(stream);
          try {
            const version = await g.api.appendEvents(STORE, stream, batchOf(stream, b));
            acked.get(stream)!.push({ batch: b, version });
          } catch (e) {
            failed.set(stream, { batch: b, code: toGaterError(e).code });
            return; // the batch's fate is unknown: this writer stops (and retries it after the restart)
          } finally {
            inFlight.delete(stream);
          }
        }
      };
      const writers = STREAMS.map(writer);
      const total = () => [...acked.values()].reduce((n, a) => n + a.length, 0);
      await waitFor(() => total() >= 45, 10_000, '45 acknowledged batches');
      const inFlightAtKill = inFlight.size;
      first.proc.kill('SIGKILL');
      stop = true;
      await first.exited;
      await Promise.all(writers); // in-flight calls fail (connection_closed / no_workers) once the link drops
      const ackedBeforeRestart = total();
      console.info(
        `[${backend.kind}] killed with ${inFlightAtKill} append(s) in flight; acked ${ackedBeforeRestart} batches;`,
        `failed: ${JSON.stringify(Object.fromEntries(failed))}`,
      );

      const second = await h.node(storage, portOf(first.address));
      expect(second.address).toBe(first.address);
      await h.linked(g, second);

      const check = async (allowUnackedTail: boolean) => {
        let events = 0;
        const positions: number[] = [];
        for (const stream of STREAMS) {
          const evs = await readStream(g, stream);
          events += evs.length;
          positions.push(...evs.map((e) => e.position));
          // versions contiguous from 0
          expect(evs.map((e) => e.eventNumber)).toEqual(range(0, evs.length - 1));
          // whole batches only, in the order they were sent, each exactly once
          expect(evs.length % BATCH, `${stream}: a partial batch is stored`).toBe(0);
          const batches = evs.length / BATCH;
          expect(evs.map((e) => e.eventId)).toEqual(
            range(0, batches - 1).flatMap((b) => range(0, BATCH - 1).map((i) => eventId(stream, b, i))),
          );
          // a batch is written at one instant and at consecutive positions — on PostgreSQL at ascending ones:
          // positions come from a per-store sequence so that writers on different streams do not serialise
          // (DESIGN §8, issue 12), and two batches appended at once may interleave their positions.
          for (let b = 0; b < batches; b++) {
            const chunk = evs.slice(b * BATCH, (b + 1) * BATCH);
            expect(new Set(chunk.map((e) => e.created)).size).toBe(1);
            const ps = chunk.map((e) => e.position);
            if (backend.kind === 'postgres') expect(ps).toEqual(sorted(ps));
            else expect(ps).toEqual(range(chunk[0]!.position, chunk[0]!.position + BATCH - 1));
          }
          // every acknowledged batch is there, at the version the append returned
          const mine = acked.get(stream)!;
          for (const a of mine) expect(a.version, `${stream} batch ${a.batch}`).toBe(a.batch * BATCH + BATCH - 1);
          expect(batches).toBeGreaterThanOrEqual(mine.length);
          // beyond them at most the one batch whose answer was lost in the kill
          expect(batches).toBeLessThanOrEqual(mine.length + (allowUnackedTail && failed.has(stream) ? 1 : 0));
        }
        // global positions contiguous from 0 across the store; on PostgreSQL unique and ascending, with the gaps
        // a sequence leaves where an append was rolled back (the kill), which live followers wait out.
        if (backend.kind === 'postgres') {
          expect(new Set(positions).size).toBe(events);
          expect(await g.api.getHeadPosition(STORE)).toBe(Math.max(...positions));
        } else {
          expect(sorted(positions)).toEqual(range(0, events - 1));
          expect(await g.api.getHeadPosition(STORE)).toBe(events - 1);
        }
        return events;
      };
      const before = await check(true);
      expect(before).toBeGreaterThanOrEqual(ackedBeforeRestart * BATCH);
      const landed = (before - ackedBeforeRestart * BATCH) / BATCH;
      console.info(`[${backend.kind}] unanswered batches found stored after the restart: ${landed} of ${failed.size}`);

      // Re-sending each unanswered batch with the same ids: written once if it was lost, a duplicate if it was not.
      for (const [stream, f] of failed) {
        const version = await g.api.appendEvents(STORE, stream, batchOf(stream, f.batch));
        expect(version).toBe(f.batch * BATCH + BATCH - 1);
        acked.get(stream)!.push({ batch: f.batch, version });
      }
      // and the restarted node keeps appending after them
      for (const stream of STREAMS) {
        const next = acked.get(stream)!.length;
        const version = await g.api.appendEvents(STORE, stream, batchOf(stream, next));
        expect(version).toBe(next * BATCH + BATCH - 1);
        acked.get(stream)!.push({ batch: next, version });
      }
      const after = await check(false);
      expect(after).toBe((ackedBeforeRestart + failed.size + STREAMS.length) * BATCH);
    });
  });
}

appendCrashSuite(sqliteBackend());
appendCrashSuite(postgresBackend());
