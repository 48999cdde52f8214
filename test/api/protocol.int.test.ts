import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGaterError, OPS } from '../../src/core/index.js';
import { connectTcpLink, type TcpLink } from '../../src/core/transport/index.js';
import { InProcessLink } from '../../src/node/inProcessLink.js';
import { startNode, type RunningNode } from '../../src/node/startNode.js';

// The one protocol (core/wire/ops.ts) over both links: the same node answers the same typed requests.
describe('the gateway-node protocol over the in-process link and TCP', () => {
  let node: RunningNode;
  let tcp: TcpLink;
  let inProcess: InProcessLink;

  beforeAll(async () => {
    node = await startNode({ name: 'proto@127.0.0.1', listen: { host: '127.0.0.1', port: 0, cookie: 'proto' } });
    const [host, port] = node.address.split(':');
    tcp = await connectTcpLink({ host: host!, port: Number(port), nodeName: 'gw@127.0.0.1', cookie: 'proto' });
    inProcess = new InProcessLink(node.node);
  });
  afterAll(async () => {
    tcp?.close();
    inProcess?.close();
    await node?.stop();
  });

  it('ping is the one liveness probe, answered by the node with its name on either link', async () => {
    for (const link of [tcp, inProcess]) {
      expect(await link.request('ping', { store: '', worker: '' }, 2000)).toEqual({ node: 'proto@127.0.0.1' });
    }
  });

  it('a typed request and its typed result are the same on both links', async () => {
    const worker = node.node.announcement().workers[0]!.id;
    const v = await tcp.request(
      'append',
      { store: 'reg_gh', worker, streamId: 'proto', events: [{ eventType: 'p:v1', data: 1 }], expectedVersion: 'any' },
      2000,
    );
    const read = await inProcess.request(
      'read',
      { store: 'reg_gh', worker, streamId: 'proto', startVersion: 0, count: 5, direction: 'forward' },
      2000,
    );
    expect(v).toBe(0);
    expect(read.map((e) => [e.eventType, e.data])).toEqual([['p:v1', 1]]);
  });

  it('an operation outside the protocol is refused with invalid_argument naming the ones it speaks', async () => {
    const err = await tcp.request('frobnicate' as 'ping', { store: 'reg_gh', worker: '' }, 2000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isGaterError(err, 'invalid_argument')).toBe(true);
    expect((err as Error).message).toContain(OPS.join(', '));
  });
});
