import { describe, expect, it } from 'vitest';
import { GaterApi } from '../../src/core/api/gaterApi.js';
import { PubSub } from '../../src/core/api/pubsub.js';
import { WorkerRegistry } from '../../src/core/registry/workerRegistry.js';
import { InProcessLink } from '../../src/node/inProcessLink.js';
import { createStoreNode } from '../../src/node/storeNode.js';
import { MemoryStorage } from '../../src/node/storage/memory.js';
import type { EventRecord } from '../../src/core/types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('failover between links (in-process nodes sharing one storage)', () => {
  it('a node restarted under the same name is used again at once for calls and subscriptions', async () => {
    const storage = new MemoryStorage();
    const first = await createStoreNode({ name: 'same@host', storage });
    const registry = new WorkerRegistry();
    const api = new GaterApi(registry, new PubSub(), { noWorkersWaitMs: 5000 });
    const link1 = new InProcessLink(first);
    registry.add(link1);
    const got: number[] = [];
    await api.saveSubscription('reg_gh', 'by_stream', '$all', 'transient', 0, (es: EventRecord[]) =>
      got.push(...es.map((e) => e.position)),
    );
    await api.appendEvents('reg_gh', 's', [{ eventType: 'a', data: {} }]);
    await sleep(10);
    link1.close('killed');
    const t0 = Date.now();
    const pending = api.appendEvents('reg_gh', 's', [{ eventType: 'b', data: {} }]); // waits for a worker
    await sleep(50);
    const second = await createStoreNode({ name: 'same@host', storage });
    registry.add(new InProcessLink(second));
    expect(await pending).toBe(1);
    for (let i = 0; i < 500 && got.length < 2; i++) await sleep(10);
    expect(got).toEqual([0, 1]);
    // Not after waiting out noWorkersWaitMs for some other worker: the new link was not excluded. (A bound at
    // noWorkersWaitMs itself, which is what separates the two outcomes, not a guess at how fast a loaded box is.)
    expect(Date.now() - t0).toBeLessThan(5000);
    await api.close();
  });
});

describe('a timed-out call does not bar its node from later calls', () => {
  it('the only node, slow once, serves the next calls of the same gateway', async () => {
    /** A real memory store whose first append takes longer than the gateway waits. */
    class SlowOnce extends MemoryStorage {
      slow = true;
      override async append(...args: Parameters<MemoryStorage['append']>) {
        if (this.slow) {
          this.slow = false;
          await sleep(400);
        }
        return super.append(...args);
      }
    }
    const node = await createStoreNode({ name: 'slow@host', storage: new SlowOnce() });
    const registry = new WorkerRegistry();
    registry.add(new InProcessLink(node));
    const api = new GaterApi(registry, new PubSub(), { timeoutMs: 100, noWorkersWaitMs: 1500 });
    await expect(api.appendEvents('reg_gh', 's', [{ eventType: 'a', data: {} }])).rejects.toMatchObject({
      code: 'timeout',
    });
    await sleep(450); // the slow append finished
    // Before the fix the timed-out link was added to the router's shared "exclude nothing" set: every later call
    // of this gateway skipped it and failed with no_workers.
    expect(await api.getVersion('reg_gh', 's')).toBe(0);
    expect(await api.appendEvents('reg_gh', 's', [{ eventType: 'b', data: {} }])).toBe(1);
    await api.close();
    await node.stop();
  });
});
