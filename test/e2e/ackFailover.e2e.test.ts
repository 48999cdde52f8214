import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord, SubscriptionInfo } from '../../src/core/types.js';
import { startGater, type Gater } from '../../src/gateway/index.js';
import { COOKIE, ensureBuilt, startNodeProcess, type NodeProcess } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Issue 10 item 7: an ack sent while its subscription fails over follows it to the new node.
describe('acks during a failover (two node processes on one SQLite file)', () => {
  let tmp = '';
  let nodes: NodeProcess[] = [];
  let gater: Gater | undefined;
  beforeAll(async () => {
    await ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-ackfo-'));
    const storage = `sqlite:${join(tmp, 'shared.db')}`;
    nodes = await Promise.all([1, 2].map(() => startNodeProcess(['--storage', storage])));
  });
  afterAll(async () => {
    await gater?.stop();
    for (const n of nodes) n.child.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });

  it('acks in flight when the serving node dies neither fail nor get lost: the checkpoint reaches the end', async () => {
    gater = await startGater({ connect: nodes.map((n) => n.address), cookie: COOKIE, noWorkersWaitMs: 5000 });
    const g = gater;
    const total = 400;
    for (let i = 0; i < total; i += 100)
      await g.api.appendEvents(
        'reg_gh',
        'fo',
        Array.from({ length: 100 }, (_, k) => ({ eventType: 'fo:v1', data: { i: i + k } })),
      );

    const pending: EventRecord[] = [];
    const errors: unknown[] = [];
    let acked = 0;
    let killed: NodeProcess | undefined;
    const subscriber = (events: EventRecord[]) => pending.push(...events);
    await g.api.saveSubscription('reg_gh', 'by_stream', '$fo', 'failover', 0, subscriber);
    const serving = async (): Promise<string | undefined> => {
      for (const link of g.registry.links()) {
        const subs = (await link
          .request('getSubscriptions', { store: 'reg_gh', worker: '' }, 2000)
          .catch(() => [])) as SubscriptionInfo[];
        if (subs.some((s) => s.name === 'failover' && s.active)) return link.node;
      }
      return undefined;
    };
    const victimName = await serving();
    expect(victimName).toBeDefined();

    // Acks go out in bursts; the node is killed right after one burst is sent, so those acks are on the wire.
    const deadline = Date.now() + 25_000;
    const checkpoint = async () =>
      (await g.api.getSubscriptions('reg_gh')).find((s) => s.name === 'failover')?.checkpoint ?? -1;
    while (Date.now() < deadline) {
      const burst = pending.splice(0, 40);
      for (const e of burst)
        void g.api.ackEvent('reg_gh', 'failover', subscriber, e).then(
          () => acked++,
          (err: unknown) => errors.push(err),
        );
      if (!killed && acked >= 100 && burst.length > 0) {
        killed = nodes.find((n) => n.name === victimName)!;
        killed.child.kill('SIGKILL');
      }
      if (killed && pending.length === 0 && (await checkpoint()) >= total) break;
      await sleep(30);
    }
    console.info(`acked ${acked}, errors ${errors.length}, checkpoint ${await checkpoint()}`);
    expect(killed).toBeDefined();
    expect(errors.map((e) => String(e))).toEqual([]);
    expect(await checkpoint()).toBe(total);
    expect(await serving()).not.toBe(victimName);
  });
});
