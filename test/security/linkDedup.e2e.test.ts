/**
 * Issue #11 items 1 and 6: links are deduplicated by the name the node proved. One node reachable under two
 * addresses (or directly and through a relay) settles on one link instead of a reconnect loop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGater, type Gater } from '../../src/gateway/index.js';
import { randomGossipPort, spawnNode, waitFor, type NodeProcess } from '../helpers/cluster.js';
import { startTamperingRelay, type TamperingRelay } from './tamperingRelay.js';

const COOKIE = 'dedup_t3st_c00kie_51c0e8a9b7f2';
const sessionsOpened = (n: NodeProcess): number => n.output().match(/session \S+ opened by/g)?.length ?? 0;

describe('one node under two addresses', () => {
  let node: NodeProcess;
  let relay: TamperingRelay;
  let gater: Gater | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    node = await spawnNode({ cookie: COOKIE, gossipPort: randomGossipPort(), extraArgs: ['--no-gossip'] });
    const port = Number(node.address.split(':')[1]);
    relay = await startTamperingRelay('127.0.0.1', port);
  });
  afterAll(async () => {
    await gater?.stop();
    await relay?.close();
    await node?.kill('SIGKILL');
  });

  it('127.0.0.1:P, 127.1:P and a relay as seeds: one link, no reconnect loop, one node in status', async () => {
    const port = Number(node.address.split(':')[1]);
    const seeds = [`127.0.0.1:${port}`, `127.1:${port}`, `127.0.0.1:${relay.port}`];
    const before = sessionsOpened(node);
    gater = await startGater({
      connect: seeds,
      cookie: COOKIE,
      log: (l, m) => logs.push(`${l} ${m}`),
      noWorkersWaitMs: 1000,
    });
    await waitFor(() => gater!.registry.links().length === 1, 5000, 'linked');
    await new Promise((r) => setTimeout(r, 2500));
    const opened = sessionsOpened(node) - before;
    console.info(`sessions opened in 2.5 s: ${opened}`);
    // One per address at most (two of them are closed at once as duplicates), never a loop.
    expect(opened).toBeLessThanOrEqual(3);
    expect(gater.registry.links()).toHaveLength(1);
    expect(gater.cluster.status().nodes.map((n) => n.name)).toEqual([node.name]);
    expect(await gater.api.appendEvents('reg_gh', 'dedup', [{ eventType: 't', data: {} }])).toBe(0);
    expect(logs.filter((l) => /Lost connection/.test(l))).toEqual([]);
  });
});
