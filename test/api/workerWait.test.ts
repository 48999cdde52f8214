import { afterEach, describe, expect, it, vi } from 'vitest';
import { GaterApi } from '../../src/core/api/gaterApi.js';
import { PubSub } from '../../src/core/api/pubsub.js';
import { WorkerRegistry } from '../../src/core/registry/workerRegistry.js';
import { InProcessLink } from '../../src/node/inProcessLink.js';
import { createStoreNode } from '../../src/node/storeNode.js';
import { MemoryStorage } from '../../src/node/storage/memory.js';

/** Lets promise chains and I/O callbacks run without moving the faked clock. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/** A gateway with no node yet, on a faked clock: its calls wait for a worker. */
function gatewayWithoutWorkers(noWorkersWaitMs: number): { registry: WorkerRegistry; api: GaterApi } {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  const registry = new WorkerRegistry();
  return { registry, api: new GaterApi(registry, new PubSub(), { noWorkersWaitMs }) };
}

/** A memory node hosting `stores`, linked into the registry (in process), once the calls so far have settled. */
async function nodeArrives(registry: WorkerRegistry, name: string, stores?: string[]) {
  const node = await createStoreNode({ name, storage: new MemoryStorage(), ...(stores ? { stores } : {}) });
  registry.add(new InProcessLink(node));
  await settle();
  return node;
}

describe('a call waiting for a worker', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('goes as soon as a node with a worker of its store registers, not at the next backoff step', async () => {
    const { registry, api } = gatewayWithoutWorkers(5000);
    let version: number | undefined;
    const call = api.appendEvents('reg_gh', 's', [{ eventType: 'a', data: {} }]).then((v) => (version = v));
    await settle();
    await vi.advanceTimersByTimeAsync(10); // the first backoff step is 100 ms
    const node = await nodeArrives(registry, 'late@host');
    // The clock still reads 10 ms: before the fix the call slept until 100 ms whatever arrived meanwhile.
    expect(version).toBe(0);
    await call;
    await api.close();
    await node.stop();
  });

  it('stores what the gateway checked: a caller changing its event while the call waits for a worker changes nothing', async () => {
    const { registry, api } = gatewayWithoutWorkers(5000);
    const data: Record<string, unknown> = { temperature: 20, readings: [1, 2] };
    const metadata: Record<string, unknown> = { correlation_id: 'c1' };
    const event: { eventType: string; data: unknown; metadata: unknown } = { eventType: 'a', data, metadata };
    const call = api.appendEvents('reg_gh', 's', [event]);
    await settle();
    data.temperature = 99;
    (data.readings as number[]).push(3);
    data.at = new Date(); // not JSON: had the node checked it now, the append would fail
    metadata.correlation_id = 'c2';
    event.eventType = 'b';
    const node = await nodeArrives(registry, 'late@host');
    expect(await call).toBe(0);
    const [stored] = await api.getEvents('reg_gh', 's', 0, 1);
    expect(stored).toMatchObject({
      eventType: 'a',
      data: { temperature: 20, readings: [1, 2] },
      metadata: { correlation_id: 'c1' },
    });
    expect(Object.isFrozen(stored!.data)).toBe(true);
    await api.close();
    await node.stop();
  });

  it('a change that brings no worker of its store keeps it waiting, and no_workers still comes at the deadline', async () => {
    const { registry, api } = gatewayWithoutWorkers(1000);
    let outcome: unknown;
    const call = api.appendEvents('reg_gh', 's', [{ eventType: 'a', data: {} }]).catch((e: unknown) => (outcome = e));
    await settle();
    const other = await nodeArrives(registry, 'other@host', ['other']);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1100);
    await call;
    expect(outcome).toMatchObject({ code: 'no_workers' });
    await api.close();
    await other.stop();
  });
});
