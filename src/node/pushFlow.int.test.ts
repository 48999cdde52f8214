import { afterEach, describe, expect, it } from 'vitest';
import { startGater, type Gater } from '../gateway/index.js';
import type { EventRecord } from '../core/types.js';
import { connectRpc, type RpcConnection, type RpcServer } from '../core/transport/index.js';
import type { FramedSocket } from '../core/transport/framedSocket.js';
import { serveNode } from './nodeServer.js';
import { createStoreNode, type StoreNode } from './storeNode.js';

const COOKIE = 'push_flow_cookie';

/** Positions must be 0, 1, 2, ... exactly: every event once, in order. */
function expectOnceInOrder(events: EventRecord[], total: number): void {
  expect(events).toHaveLength(total);
  const bad = events.findIndex((e, i) => e.position !== i);
  expect(bad, bad < 0 ? '' : `position ${events[bad]!.position} at index ${bad}`).toBe(-1);
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('live delivery over TCP: coalesced pushes and flow control', () => {
  let node: StoreNode | undefined;
  let server: RpcServer | undefined;
  let gater: Gater | undefined;
  let conn: RpcConnection | undefined;
  afterEach(async () => {
    conn?.close();
    await gater?.stop();
    await server?.close();
    await node?.stop();
    node = server = gater = conn = undefined;
  });

  it('concurrent appenders, one subscriber: every event delivered once, in order', async () => {
    node = await createStoreNode({ name: 'flow@127.0.0.1' });
    server = await serveNode(node, { cookie: COOKIE });
    gater = await startGater({ connect: [`127.0.0.1:${server.port}`], cookie: COOKIE });
    const got: EventRecord[] = [];
    await gater.api.saveSubscription('reg_gh', 'by_stream', '$all', 'transient', 0, (events) => got.push(...events));
    const api = gater.api;
    let total = 0;
    await Promise.all(
      Array.from({ length: 4 }, async (_, c) => {
        for (let i = 0; i < 150; i++) {
          const n = 1 + (i % 3);
          total += n;
          await api.appendEvents(
            'reg_gh',
            `flow-${c}`,
            Array.from({ length: n }, () => ({ eventType: 'f:v1', data: { c, i } })),
          );
        }
      }),
    );
    await until(() => got.length >= total, `${total} deliveries (got ${got.length})`);
    expectOnceInOrder(got, total);
  });

  it('a subscriber that stops reading is held back at the bound, reported lagging, appenders go on; then it catches up once, in order', async () => {
    const highWater = 256 * 1024;
    node = await createStoreNode({ name: 'slow@127.0.0.1' });
    server = await serveNode(node, { cookie: COOKIE, pushHighWaterBytes: highWater });
    conn = await connectRpc({ host: '127.0.0.1', port: server.port, nodeName: 'slowgw@127.0.0.1', cookie: COOKIE });
    const got: EventRecord[] = [];
    conn.onPush((_sub, events) => got.push(...(events as EventRecord[])));
    await conn.request(
      'subscribe',
      { store: 'reg_gh', subId: 'slow', type: 'by_stream', selector: '$all', startFrom: 0 },
      5000,
    );
    // A gateway that stops reading: its socket is paused, so the kernel buffers fill and then the node's.
    const socket = (conn as unknown as { framed: FramedSocket }).framed.socket;
    socket.pause();
    const engine = node.engine('reg_gh')!;
    const session = server.sessions()[0]!;
    const pad = 'p'.repeat(1000);
    const total = 30_000; // ~31 MB of pushes, far beyond the kernel's socket buffers and the bound
    let maxQueued = 0;
    for (let i = 0; i < total; i += 100) {
      // every append completes while the subscriber reads nothing: appenders are never blocked by it
      await engine.append(
        `slow-${i % 7}`,
        Array.from({ length: 100 }, (_, k) => ({ eventType: 's:v1', data: { i: i + k, pad } })),
      );
      maxQueued = Math.max(maxQueued, session.queuedBytes);
      await new Promise((r) => setImmediate(r)); // let the node flush its socket like a live one would
    }
    // bounded: one bound plus at most one catch-up read (500 events ~ 0.6 MB), not the ~31 MB appended
    expect(maxQueued).toBeLessThan(highWater + 1024 * 1024);
    const [info] = await engine.getSubscriptions();
    expect(info).toMatchObject({ lagging: true });
    expect(info!.lag).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(total);

    socket.resume();
    await until(() => got.length >= total, `catch-up to ${total} (got ${got.length})`);
    expectOnceInOrder(got, total);
    const [after] = await engine.getSubscriptions();
    expect(after).toMatchObject({ lagging: false, lag: 0 });
  });
});
