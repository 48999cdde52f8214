import { describe, expect, it } from 'vitest';
import { GaterApi } from '../../src/core/api/gaterApi.js';
import { PubSub } from '../../src/core/api/pubsub.js';
import { GaterError, isGaterError } from '../../src/core/errors.js';
import type { NodeLink } from '../../src/core/link.js';
import { WorkerRegistry } from '../../src/core/registry/workerRegistry.js';
import type { EventRecord } from '../../src/core/types.js';
import type { Op, OpRequest } from '../../src/core/wire/ops.js';
import { InProcessLink } from '../../src/node/inProcessLink.js';
import { MemoryStorage } from '../../src/node/storage/memory.js';
import { createStoreNode } from '../../src/node/storeNode.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two in-process nodes sharing one storage, the first one linked: failover moves subscriptions to the second. */
async function twoNodes() {
  const storage = new MemoryStorage();
  const first = await createStoreNode({ name: 'first@host', storage });
  const second = await createStoreNode({ name: 'second@host', storage });
  const registry = new WorkerRegistry();
  const api = new GaterApi(registry, new PubSub(), { noWorkersWaitMs: 2000 });
  const link1 = new InProcessLink(first);
  registry.add(link1);
  return { api, registry, link1, second };
}

/** A link to `node` that refuses every new subscription, as a node would that cannot take it. */
function refusingSubscriptions(link: InProcessLink): NodeLink {
  return {
    get node() {
      return link.node;
    },
    address: link.address,
    announcement: () => link.announcement(),
    request: <K extends Op>(op: K, args: OpRequest<K>, timeoutMs: number) =>
      op === 'subscribe'
        ? Promise.reject(new GaterError('invalid_argument', 'this node refuses the subscription'))
        : link.request(op, args, timeoutMs),
    onPush: (cb) => link.onPush(cb),
    onUpdate: (cb) => link.onUpdate(cb),
    onClose: (cb) => link.onClose(cb),
    get closed() {
      return link.closed;
    },
    close: () => link.close(),
  };
}

describe('the subscription handle (async iterator + ack/nack + closed())', () => {
  it('yields events in delivery order; acks taken in that order move the checkpoint; close() ends it with no error', async () => {
    const { api } = await twoNodes();
    await api.appendEvents(
      'reg_gh',
      's',
      [1, 2, 3].map((n) => ({ eventType: 'e:v1', data: { n } })),
    );
    const sub = await api.subscribe('reg_gh', 'by_stream', '$s', { name: 'handle' });
    const seen: number[] = [];
    for await (const e of sub) {
      seen.push(e.eventNumber);
      await sub.ack(e);
      if (seen.length === 3) break; // leaving the loop closes the subscription
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(await sub.closed()).toBeUndefined();
    const [info] = await api.getSubscriptions('reg_gh');
    expect(info).toMatchObject({ name: 'handle', checkpoint: 3 });
    await api.close();
  });

  it('closed() resolves with the GaterError that ended the subscription, and the iterator ends', async () => {
    const { api, registry, link1, second } = await twoNodes();
    const sub = await api.subscribe('reg_gh', 'by_stream', '$all', { name: 'doomed' });
    registry.add(refusingSubscriptions(new InProcessLink(second)));
    link1.close('killed');
    const taken: EventRecord[] = [];
    for await (const e of sub) taken.push(e);
    const reason = await sub.closed();
    expect(isGaterError(reason, 'invalid_argument')).toBe(true);
    expect(taken).toEqual([]);
    await api.close();
  });
});

describe('selector keys (regression: one subscriptionKey on both sides)', () => {
  it('a subscription saved with {a:1,b:2} and removed with {b:2,a:1} does not come back after failover', async () => {
    const { api, registry, link1, second } = await twoNodes();
    const got: EventRecord[] = [];
    await api.saveSubscription('reg_gh', 'by_event_payload', { a: 1, b: 2 }, 'pay', 0, (es) => got.push(...es));
    await api.removeSubscription('reg_gh', 'by_event_payload', { b: 2, a: 1 }, 'pay');
    registry.add(new InProcessLink(second));
    link1.close('killed'); // a still-registered gateway subscription would be re-established on `second` now
    await api.appendEvents('reg_gh', 's', [{ eventType: 'e:v1', data: { a: 1, b: 2 } }]);
    // The re-establishment (if any) starts at once on close; give it well over its round trips to show itself.
    for (let i = 0; i < 25; i++) {
      expect((await api.getSubscriptions('reg_gh')).filter((s) => s.name === 'pay')).toEqual([]);
      await sleep(20);
    }
    expect(got).toEqual([]);
    await api.close();
  });
});
