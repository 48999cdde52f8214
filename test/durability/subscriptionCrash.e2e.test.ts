import { afterAll, describe, expect, it } from 'vitest';
import type { EventRecord, SubscriptionInfo } from '../../src/core/types.js';
import type { Gater } from '../../src/gateway/index.js';
import { waitFor } from '../helpers/cluster.js';
import {
  firstGap,
  Harness,
  portOf,
  postgresBackend,
  sleep,
  sqliteBackend,
  STORE,
  storedCheckpoint,
  type Backend,
} from './harness.js';

/**
 * DESIGN §4.6: a named subscription survives a SIGKILL of its node. The gateway re-establishes it by itself once
 * the node is back on the same storage and port, and delivery resumes from the checkpoint the acks moved: every
 * event after the last acknowledged one arrives (at least once; a few delivered-but-unacked ones may come again).
 * Needs `npm run build` (nodes run dist/) and, for the postgres half, the PostgreSQL test server (testPgUrl).
 */

const NAME = 'durable_sub';
const BATCH = 5;

async function subInfo(g: Gater): Promise<SubscriptionInfo | undefined> {
  return (await g.api.getSubscriptions(STORE)).find((s) => s.name === NAME);
}

function subscriptionCrashSuite(backend: Backend): void {
  describe(`named subscription across a SIGKILL, ${backend.kind} storage`, () => {
    const h = new Harness();
    afterAll(async () => {
      await h.cleanup();
      await backend.cleanup();
    });

    it('resumes from its checkpoint after the node restarts: no gap after the last ack, checkpoint keeps advancing', async () => {
      const storage = backend.fresh();
      const first = await h.node(storage);
      const g = await h.gateway([first.address]);
      await h.linked(g, first);

      // 'after' from the moment the gateway's link to the first node closes (set inside the close dispatch, so no
      // delivery or ack can fall between the close and the flip).
      let phase: 'before' | 'after' = 'before';
      g.registry.link(first.name)!.onClose(() => (phase = 'after'));
      const delivered: { pos: number; phase: 'before' | 'after' }[] = [];
      /** Positions whose ack the FIRST node answered. */
      const ackedBefore: number[] = [];
      /** Positions whose ack was SENT to the first node (its answer may have been lost in the kill). */
      const ackSentBefore = new Set<number>();
      let ackFailures = 0;
      // The subscriber acks each event a little after receiving it, so some are always delivered but unacked.
      const subscriber = (events: EventRecord[]) => {
        for (const e of events) {
          delivered.push({ pos: e.position, phase });
          setTimeout(() => {
            const sentIn = phase;
            if (sentIn === 'before') ackSentBefore.add(e.position);
            g.api.ackEvent(STORE, NAME, subscriber, e).then(
              () => sentIn === 'before' && phase === 'before' && ackedBefore.push(e.position),
              () => ackFailures++,
            );
          }, 20);
        }
      };
      await g.api.saveSubscription(STORE, 'by_stream', '$all', NAME, 0, subscriber, {
        ackTimeoutMs: 5000,
        maxRetries: 10,
      });

      // A steady producer through the same gateway; its calls fail while the node is down, which is fine.
      let producing = true;
      let produceFailures = 0;
      const producer = (async () => {
        for (let n = 0; producing; n++) {
          const events = Array.from({ length: BATCH }, (_, i) => ({ eventType: 'durability_tick:v1', data: { n, i } }));
          try {
            await g.api.appendEvents(STORE, `ticks-${n % 3}`, events);
          } catch {
            produceFailures++;
          }
          await sleep(10);
        }
      })();

      await waitFor(() => ackedBefore.length >= 150, 10_000, '150 acknowledged deliveries');
      const cpBefore = (await subInfo(g))!;
      expect(cpBefore).toMatchObject({ persistent: true, active: true });
      expect(cpBefore.checkpoint).toBeGreaterThan(0);

      // SIGKILL while events flow; nothing from the old node can arrive once its link is closed.
      first.proc.kill('SIGKILL');
      await first.exited;
      // What the acks got into storage before the kill (checkpoint writes are coalesced and run behind the acks, so
      // this is read, not assumed from the checkpoint reported earlier).
      const stored = await storedCheckpoint(storage, STORE, NAME);
      expect(stored).toBeGreaterThan(0);
      await h.unlinked(g, first);
      expect(phase).toBe('after');
      const lastAck = Math.max(...ackedBefore);
      const unackedAtKill = new Set(delivered.filter((d) => d.pos > lastAck).map((d) => d.pos)).size;
      const deliveredBefore = delivered.length;

      const second = await h.node(storage, portOf(first.address));
      await h.linked(g, second);
      // No saveSubscription call from here on: the gateway must bring the subscription back itself.
      await waitFor(() => delivered.length > deliveredBefore, 8000, 'deliveries from the restarted node');
      // more events flow live through the re-established subscription (counted, not slept)
      const deliveredAfterRestart = delivered.length;
      await waitFor(() => delivered.length >= deliveredAfterRestart + 30, 10_000, '30 more live deliveries');
      producing = false;
      await producer;

      const head = await g.api.getHeadPosition(STORE);
      await waitFor(
        async () => {
          const seen = new Set(delivered.map((d) => d.pos));
          if (firstGap(seen, 0, head) !== undefined) return false;
          return (await subInfo(g))?.checkpoint === head + 1;
        },
        8000,
        `every event up to ${head} delivered and acked`,
      );

      const after = delivered.filter((d) => d.phase === 'after').map((d) => d.pos);
      const afterSet = new Set(after);
      const resumedAt = Math.min(...after);
      const redelivered = after.filter((p) => p <= lastAck).length;
      console.info(
        `[${backend.kind}] last ack before the kill: ${lastAck}; resumed at ${resumedAt}; head ${head};`,
        `delivered but unacked at the kill ${unackedAtKill}; redelivered ${redelivered}; ack failures ${ackFailures}; producer failures ${produceFailures};`,
        `checkpoint reported ${cpBefore.checkpoint}, stored ${stored} at the kill -> ${head + 1}`,
      );
      // Resumed no later than just after the last answered ack, unless the node took later acks whose answers the
      // kill swallowed: every event skipped on resumption had its ack sent before the kill. Nothing after is missing.
      const skipped = Array.from({ length: Math.max(0, resumedAt - (lastAck + 1)) }, (_, i) => lastAck + 1 + i);
      expect(skipped.filter((p) => !ackSentBefore.has(p))).toEqual([]);
      expect(firstGap(afterSet, resumedAt, head)).toBeUndefined();
      // ...and not from the start: from the checkpoint stored before the kill (only acks past it repeat).
      expect(resumedAt).toBeGreaterThanOrEqual(stored!);
      // The events appended after the restart did arrive (the subscription is live again, not just replayed).
      expect(head).toBeGreaterThan(Math.max(...delivered.filter((d) => d.phase === 'before').map((d) => d.pos)));
      const info = (await subInfo(g))!;
      expect(info).toMatchObject({
        persistent: true,
        active: true,
        checkpoint: head + 1,
        inFlight: 0,
        parked: 0,
        lag: 0,
      });
      expect(info.checkpoint).toBeGreaterThan(cpBefore.checkpoint);
    });
  });
}

subscriptionCrashSuite(sqliteBackend());
subscriptionCrashSuite(postgresBackend());
