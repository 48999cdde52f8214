import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGossip, type GossipService } from '../../src/core/gossip/gossipService.js';
import { connectTcpLink } from '../../src/core/transport/index.js';
import { startNode, type RunningNode } from '../../src/node/startNode.js';
import { randomGossipPort, waitFor } from '../helpers/cluster.js';

// DESIGN §8: a node announces, per store, its storage identity in the gossip `ts` JSON and in the handshake.
describe('storage identity in heartbeats and the welcome', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-storage-id-'));
  const running: RunningNode[] = [];
  let listener: GossipService | undefined;
  afterAll(async () => {
    await listener?.stop();
    await Promise.all(running.map((n) => n.stop()));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('two nodes on one SQLite file announce the same id; a memory node its own', async () => {
    const gossipPort = randomGossipPort();
    const gossip = { secret: 's_ids', gossipPort, interfaceAddr: '127.0.0.1', heartbeatMs: 100 };
    const listen = { host: '127.0.0.1', port: 0, cookie: 'c_ids' };
    const file = `sqlite:${join(tmp, 'one.db')}`;
    for (const storage of [file, file, 'memory'])
      running.push(await startNode({ storage, stores: ['reg_gh', 'other'], listen, gossip }));
    listener = await startGossip({
      nodeName: 'listener@127.0.0.1',
      role: 'gateway',
      host: '127.0.0.1',
      port: 0,
      stores: [],
      secret: 's_ids',
      gossipPort,
      interfaceAddr: '127.0.0.1',
      heartbeatMs: 100,
    });
    const heard = () => listener!.membership.snapshot().members.filter((m) => m.role === 'node');
    await waitFor(() => heard().length === 3, 5000, 'three nodes heard');
    const byName = new Map(heard().map((m) => [m.node, m.storages]));
    const ids = running.map((n) => byName.get(n.name) ?? {});
    const [a, b, c] = [ids[0]!, ids[1]!, ids[2]!];
    expect(a.reg_gh).toEqual({ kind: 'sqlite', id: expect.stringMatching(/^sqlite-[0-9a-f]{16}$/) });
    expect(b).toEqual(a);
    expect(a.other).toEqual(a.reg_gh); // one file, one storage: every store in it has its id
    expect(c.reg_gh).toEqual({ kind: 'memory', id: expect.stringMatching(/^mem-[0-9a-f]{16}$/) });

    // the same in the TCP welcome, as a gateway reads it
    for (const n of running) {
      const [host, port] = n.address.split(':');
      const link = await connectTcpLink({
        host: host!,
        port: Number(port),
        nodeName: 'probe@127.0.0.1',
        cookie: 'c_ids',
      });
      expect(link.announcement().storages).toEqual(byName.get(n.name));
      link.close();
    }
  });
});
