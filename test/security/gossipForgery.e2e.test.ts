/**
 * Issue #11 items 3 and 4 against real node processes on loopback: replayed heartbeats change no member's state
 * and a killed node goes down on schedule under replay; forged heartbeats (even with the secret) cannot make a
 * phantom routable, restart a linked node, fill the table against a real newcomer, or write a newline into a log.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectStatus } from '../../src/core/index.js';
import {
  HEARTBEAT_PRELUDE,
  decodeHeartbeat,
  encodeHeartbeat,
  type HeartbeatInfo,
} from '../../src/core/gossip/packet.js';
import { atom, encodeTerm, termMap } from '../../src/core/wire/etf.js';
import { startGater, type Gater } from '../../src/gateway/index.js';
import { randomGossipPort, spawnNode, waitFor, type NodeProcess } from '../helpers/cluster.js';

const HB = 300;
const SECRET = 'g0ss1p_f0rgery_s3cret_5b2e91d7c3a8f6';
const COOKIE = 'g0ss1p_f0rgery_c00kie_c17d0e4b9a2f35';
const GROUP = '239.255.0.1';

describe('replayed and forged heartbeats', () => {
  const gossipPort = randomGossipPort();
  const logs: string[] = [];
  const nodes: NodeProcess[] = [];
  let gater: Gater;
  let spy: dgram.Socket;
  let attacker: dgram.Socket;
  const captured = new Map<string, Buffer[]>();

  const member = (name: string) => gater.cluster.status().nodes.find((n) => n.name === name);
  const send = (packets: Buffer[]) =>
    Promise.all(packets.map((p) => new Promise((r) => attacker.send(p, gossipPort, GROUP, r))));

  beforeAll(async () => {
    spy = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((r) => spy.bind(gossipPort, '0.0.0.0', () => r()));
    spy.addMembership(GROUP, '127.0.0.1');
    spy.on('message', (msg) => {
      const d = decodeHeartbeat(msg, { secret: SECRET });
      if (d.kind === 'ours') captured.set(d.node, [...(captured.get(d.node) ?? []), msg].slice(-20));
    });
    attacker = dgram.createSocket('udp4');
    await new Promise<void>((r) => attacker.bind(0, '127.0.0.2', () => r()));
    attacker.setMulticastInterface('127.0.0.1');
    attacker.setMulticastTTL(1);
    nodes.push(
      ...(await Promise.all(
        ['a', 'b'].map((n) =>
          spawnNode({ cookie: COOKIE, secret: SECRET, gossipPort, heartbeatMs: HB, name: `${n}@127.0.0.1` }),
        ),
      )),
    );
    gater = await startGater({
      cookie: COOKIE,
      gossip: { secret: SECRET, iface: '127.0.0.1', port: gossipPort, heartbeatMs: HB },
      log: (l, m) => logs.push(`${l} ${m}`),
    });
    await waitFor(() => gater.registry.links().length === 2, 5000, 'both nodes linked');
    await waitFor(() => (captured.get('b@127.0.0.1')?.length ?? 0) >= 3, 5000, 'heartbeats captured');
  });
  afterAll(async () => {
    await gater?.stop();
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    spy?.close();
    attacker?.close();
  });

  it('300 replays of a captured heartbeat change nothing and are counted', async () => {
    const before = gater.cluster.status().badPackets['127.0.0.2'] ?? 0;
    const old = captured.get('a@127.0.0.1')![0]!;
    await send(Array.from({ length: 300 }, () => old));
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 150));
      // (suspect is a loaded machine's late heartbeat, not the replay: on main the replay made it down)
      expect(member('a@127.0.0.1')).toMatchObject({ state: expect.stringMatching(/alive|suspect/), linked: true });
    }
    // Counted as bad packets from the replaying source (loopback drops some of a 300-datagram burst).
    expect((gater.cluster.status().badPackets['127.0.0.2'] ?? 0) - before).toBeGreaterThanOrEqual(100);
  });

  it('a killed node goes down, and stays down, while its heartbeats are replayed', async () => {
    const replay = captured.get('b@127.0.0.1')!.slice(-3);
    const t0 = Date.now();
    await nodes[1]!.kill('SIGKILL');
    const timer = setInterval(() => void send(replay), HB / 3);
    try {
      // Replayed heartbeats would keep it alive for good; the deadline only bounds that failure (the suspect/down
      // schedule itself is membership.test.ts's, on an injected clock).
      await waitFor(() => member('b@127.0.0.1')?.state === 'down', 12 * HB + 10_000, 'b down');
      const downAfter = Date.now() - t0;
      // and it stays down for as long as the replay runs
      for (let i = 0; i < 8; i++) {
        await new Promise((r) => setTimeout(r, HB));
        expect(member('b@127.0.0.1')?.state).toBe('down');
      }
      console.info(`killed node down after ${downAfter} ms under replay`);
    } finally {
      clearInterval(timer);
    }
  });

  const forged = (node: string, over: Partial<HeartbeatInfo> = {}, seq = 1): Buffer =>
    encodeHeartbeat(
      {
        node,
        info: { v: 1, role: 'node', host: '127.0.0.1', port: 1, stores: ['reg_gh'], incarnation: Date.now(), ...over },
        seq,
        t: Date.now(),
      },
      { secret: SECRET },
    );

  it('with the secret, a phantom is heard but never linked or routed; a linked node is not restarted by gossip', async () => {
    const a = member('a@127.0.0.1')!;
    await send([forged('phantom@127.0.0.1'), forged('a@127.0.0.1', { incarnation: Date.now() + 1e9 }, 1e6)]);
    await waitFor(() => member('phantom@127.0.0.1'), 2000, 'phantom heard');
    await new Promise((r) => setTimeout(r, 3 * HB));
    expect(member('phantom@127.0.0.1')).toMatchObject({ heard: true, linked: false, workers: 0 });
    expect(gater.api.gatewayWorkers().some((w) => w.node === 'phantom@127.0.0.1')).toBe(false);
    expect(member('a@127.0.0.1')).toMatchObject({ state: 'alive', linked: true, workers: a.workers });
    expect(logs.join('\n')).not.toMatch(/a@127\.0\.0\.1 is down|Restarted node a@127/);
  });

  /** A heartbeat encodeHeartbeat would refuse to build: a node name with a newline, encrypted with the secret. */
  const rawHeartbeat = (node: string): Buffer => {
    const plain = Buffer.concat([HEARTBEAT_PRELUDE, encodeTerm(termMap([[atom('node'), atom(node)]]))]);
    const iv = randomBytes(16);
    const c = createCipheriv('aes-256-cbc', createHash('sha256').update(SECRET).digest(), iv);
    return Buffer.concat([iv, c.update(plain), c.final()]);
  };

  it('a flood of 1,100 forged names: a real new node is still heard and linked; no forged newline is logged', async () => {
    for (let i = 0; i < 3; i++) {
      await send([rawHeartbeat('evil@127.0.0.1\n2026-01-01 INFO forged line')]);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Paced, so the flood reaches the members rather than overflowing loopback socket buffers.
    for (let i = 0; i < 1100; i += 100)
      await send(Array.from({ length: 100 }, (_, j) => forged(`forged${i + j}@127.0.0.1`))).then(
        () => new Promise((r) => setTimeout(r, 20)),
      );
    const c = await spawnNode({ cookie: COOKIE, secret: SECRET, gossipPort, heartbeatMs: HB, name: 'c@127.0.0.1' });
    nodes.push(c);
    const t0 = Date.now(); // the node is up (node_started): from here its first heartbeat goes out at once
    await waitFor(() => gater.registry.has('c@127.0.0.1'), 10_000, 'c linked');
    const took = Date.now() - t0;
    // Reported, not asserted: a loaded machine stretches it. The two-heartbeat bound is npm run bench's
    // "node routable after start".
    console.info(`new node linked ${took} ms after it started, under a 1,100-name flood`);
    expect(member('c@127.0.0.1')).toMatchObject({ heard: true, linked: true });
    expect(member('a@127.0.0.1')).toMatchObject({ state: 'alive', linked: true });
    expect(logs.join('\n')).not.toContain('INFO forged line');
  });

  it("each node's own drops (replayed, bad names) show in status, fetched over its link (item 7)", async () => {
    const s = await collectStatus(gater);
    const a = s.nodes.find((n) => n.name === 'a@127.0.0.1')!;
    console.info('node a counters:', JSON.stringify(a.counters));
    expect(a.counters?.gossip_replayed).toBeGreaterThan(0);
    expect(a.counters?.gossip_bad_name).toBeGreaterThanOrEqual(1);
  });
});
