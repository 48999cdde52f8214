/**
 * Issue #11 item 1: a relay that passes the cookie handshake through but does not know the cookie can no longer
 * change, replay, reorder or inject a frame: the node closes the connection and nothing altered is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGater, type Gater } from '../../src/gateway/index.js';
import { randomGossipPort, spawnNode, waitFor, type NodeProcess } from '../helpers/cluster.js';
import { startTamperingRelay, type Tamper, type TamperingRelay } from './tamperingRelay.js';

const COOKIE = 'mac_t3st_c00kie_9f2a7c41d8e3b6';

describe('session MAC against a relay on loopback', () => {
  let node: NodeProcess;
  let relay: TamperingRelay;
  let direct: Gater;
  const gaters: Gater[] = [];

  const gateway = async (address: string): Promise<Gater> => {
    const g = await startGater({ connect: [address], cookie: COOKIE, timeoutMs: 1500, noWorkersWaitMs: 1000 });
    gaters.push(g);
    await waitFor(() => g.api.gatewayWorkersForStore('reg_gh').length > 0, 5000, `linked via ${address}`);
    return g;
  };

  beforeAll(async () => {
    node = await spawnNode({ cookie: COOKIE, gossipPort: randomGossipPort(), extraArgs: ['--no-gossip'] });
    const [host, port] = node.address.split(':') as [string, string];
    relay = await startTamperingRelay(host, Number(port));
    direct = await gateway(node.address);
  });
  afterAll(async () => {
    await Promise.all(gaters.map((g) => g.stop()));
    await relay?.close();
    await node?.kill('SIGKILL');
  });

  it('an untouched relay works (the handshake passes through)', async () => {
    relay.mode = 'none';
    const g = await gateway(`127.0.0.1:${relay.port}`);
    expect(await g.api.appendEvents('reg_gh', 'relayed-ok', [{ eventType: 'paid:v1', data: { amount: 1 } }])).toBe(0);
    expect((await direct.api.getEvents('reg_gh', 'relayed-ok', 0, 10)).map((e) => e.data)).toEqual([{ amount: 1 }]);
  });

  for (const mode of ['rewrite', 'replay', 'reorder', 'inject'] as Tamper[]) {
    it(`${mode}: the node closes the connection and stores nothing altered or twice`, async () => {
      relay.mode = mode;
      const closedBefore = relay.closed;
      const g = await gateway(`127.0.0.1:${relay.port}`);
      const streams = [`${mode}-a`, `${mode}-b`];
      // Two appends, so the reordering relay has a frame to swap with.
      const outcomes = await Promise.allSettled(
        streams.map((s) => g.api.appendEvents('reg_gh', s, [{ eventType: 'paid:v1', data: { amount: 1 } }])),
      );
      expect(relay.tampered).toBeGreaterThan(0);
      await waitFor(() => relay.closed > closedBefore, 5000, 'the tampered connection closed');
      for (const s of streams) {
        const stored = (await direct.api.getEvents('reg_gh', s, 0, 10)).map((e) => e.data);
        expect(stored).not.toContainEqual({ amount: 9 });
        expect(stored.length).toBeLessThanOrEqual(1);
      }
      // Whatever reached the node was refused before it ran: the tampered appends did not succeed.
      expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeLessThan(2);
      expect(node.output()).toMatch(/failed authentication/);
    });
  }
});
