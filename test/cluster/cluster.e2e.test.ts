import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGater, type Gater } from '../../src/gateway/index.js';
import type { ClusterEvent } from '../../src/core/cluster/clusterMonitor.js';
import { isGaterError } from '../../src/core/errors.js';
import { BIN, randomGossipPort, spawnNode, waitFor, type NodeProcess } from '../helpers/cluster.js';

const run = promisify(execFile);
const HB = 1000;
const COOKIE = 'cookie_c1u5t3r_t3st';
const SECRET = 'secret_g0ss1p_t3st';

// One shared SQLite file: the nodes are one consistency group, so calls may spread over all of them (DESIGN §8).
describe('three store nodes on one shared storage and a gateway on loopback', () => {
  const gossipPort = randomGossipPort();
  const tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-cluster-'));
  const logs: string[] = [];
  const events: ClusterEvent[] = [];
  let nodes: NodeProcess[] = [];
  let gater: Gater | undefined;

  beforeAll(async () => {
    nodes = await Promise.all(
      [1, 2, 3].map(() =>
        spawnNode({
          cookie: COOKIE,
          secret: SECRET,
          gossipPort,
          heartbeatMs: HB,
          poolSize: 2,
          storage: `sqlite:${join(tmp, 'shared.db')}`,
        }),
      ),
    );
  });
  afterAll(async () => {
    await gater?.stop();
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the gateway finds all three by gossip and spreads calls over every node', async () => {
    gater = await startGater({
      cookie: COOKIE,
      gossip: { secret: SECRET, iface: '127.0.0.1', port: gossipPort, heartbeatMs: HB },
      log: (l, m) => logs.push(`${l} ${m}`),
      noWorkersWaitMs: 1500,
    });
    gater.cluster.on((e) => events.push(e));
    // How fast (two heartbeats) is measured by `npm run bench` (routable); on a loaded machine a wall-clock bound
    // here would only flake, so this waits for the event with a generous deadline.
    await waitFor(() => gater!.registry.links().length === 3, 20 * HB, 'three nodes linked');
    expect(gater.api.gatewayWorkersForStore('reg_gh')).toHaveLength(6);

    for (let i = 0; i < 60; i++) {
      await gater.api.appendEvents('reg_gh', `spread-${i}`, [{ eventType: 'spread:v1', data: { i } }]);
      await gater.api.getVersion('reg_gh', `spread-${i}`);
    }
    const perNode = new Map<string, number>();
    for (const w of gater.api.gatewayWorkers())
      perNode.set(w.node, (perNode.get(w.node) ?? 0) + (gater.registry.routed.get(w.id) ?? 0));
    console.info(`calls routed per node:`, Object.fromEntries(perNode));
    expect([...perNode.keys()].sort()).toEqual(nodes.map((n) => n.name).sort());
    for (const n of perNode.values()) expect(n).toBeGreaterThan(10);
  });

  it('thousands of garbage UDP packets and TCP frames crash no node and no gateway', async () => {
    const g = gater!;
    // to the multicast group on the loopback interface, so every member (nodes and gateway) hears them
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    udp.setMulticastInterface('127.0.0.1');
    udp.setMulticastTTL(1);
    const packets: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const kind = i % 4;
      if (kind === 0) packets.push(randomBytes(1 + (i % 300)));
      else if (kind === 1) packets.push(Buffer.concat([Buffer.from('heartbeat::'), randomBytes(i % 64)]));
      else if (kind === 2)
        packets.push(Buffer.concat([Buffer.from('heartbeat::\x83t\x00\x00\x00\x01'), randomBytes(8)]));
      else packets.push(randomBytes(16 + 16 * (i % 8))); // IV-sized prefix plus blocks that fail to decrypt
    }
    packets.push(Buffer.alloc(60_000, 1));
    for (let i = 0; i < packets.length; i++) {
      await new Promise<void>((r) => udp.send(packets[i]!, gossipPort, '239.255.0.1', () => r()));
      // paced, so the receivers' socket buffers do not simply drop the flood (UDP gives no back-pressure)
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
    }
    udp.close();
    const [host, port] = nodes[1]!.address.split(':');
    await Promise.all(
      Array.from(
        { length: 40 },
        (_, c) =>
          new Promise<void>((resolve) => {
            const sock = net.connect(Number(port), host!, () => {
              for (let i = 0; i < 50; i++) {
                const body =
                  c % 2
                    ? randomBytes(1 + ((c * i) % 200))
                    : Buffer.from(JSON.stringify({ id: i, op: 'append', args: 'x' }));
                const head = Buffer.alloc(4);
                head.writeUInt32BE(c % 5 === 0 ? 0xfffffff0 : body.length);
                sock.write(Buffer.concat([head, body]));
              }
              sock.end();
            });
            sock.resume(); // read (and drop) the server's error frames, or 'close' never comes
            sock.on('error', () => resolve());
            sock.on('close', () => resolve());
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 200));
    for (const n of nodes) expect(n.proc.exitCode).toBeNull();
    expect(g.registry.links()).toHaveLength(3);
    expect(g.cluster.status().nodes.filter((n) => n.state === 'alive')).toHaveLength(3);
    for (let i = 0; i < 12; i++)
      expect(
        await g.api.appendEvents('reg_gh', 'after-garbage', [{ eventType: 'ok:v1', data: { i } }]),
      ).toBeGreaterThanOrEqual(0);
    // the gateway counted them (a few may be dropped by a full socket buffer: UDP)
    expect(Object.values(g.cluster.status().badPackets).reduce((a, b) => a + b, 0)).toBeGreaterThan(2000);
  });

  it('SIGKILL one node while reads and appends run: no call fails; it goes suspect then down', async () => {
    const g = gater!;
    const victim = nodes[0]!;
    let stop = false;
    let calls = 0;
    const failures: unknown[] = [];
    const loop = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          await g.api.appendEvents('reg_gh', `kill-${w}`, [{ eventType: 'k:v1', data: { i } }]);
          await g.api.getEvents('reg_gh', `kill-${w}`, 0, 5);
          calls += 2;
        } catch (e) {
          failures.push(e);
        }
      }
    };
    const loops = [0, 1, 2, 3].map(loop);
    // Kill once calls are flowing, and stop once more went through after the node was down (counted, not slept).
    const moreCalls = (n: number, what: string) => {
      const target = calls + n;
      return waitFor(() => calls >= target || failures.length > 0, 10_000, what);
    };
    await moreCalls(20, 'calls before the kill');
    await victim.kill('SIGKILL');
    await waitFor(() => events.some((e) => e.type === 'node_down' && e.node === victim.name), 15_000, 'victim down');
    await moreCalls(20, 'calls after the victim is down');
    stop = true;
    await Promise.all(loops);
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(20);
    const mine = events.filter((e) => 'node' in e && e.node === victim.name).map((e) => e.type);
    expect(mine.indexOf('node_suspect')).toBeGreaterThanOrEqual(0);
    expect(mine.indexOf('node_suspect')).toBeLessThan(mine.indexOf('node_down'));
    expect(g.registry.links().map((l) => l.node)).not.toContain(victim.name);
    const view = g.cluster.status().nodes.find((n) => n.name === victim.name);
    expect(view?.state).toBe('down');
    // the dead address is not kept as a nameless ghost entry next to the named member
    expect(
      g.cluster
        .status()
        .nodes.map((n) => n.name)
        .filter((n) => !n.includes('@')),
    ).toEqual([]);
  });

  it('with all nodes gone, calls fail with no_workers', async () => {
    await Promise.all(nodes.slice(1).map((n) => n.kill('SIGKILL')));
    await waitFor(() => gater!.registry.links().length === 0, 5000, 'all links closed');
    const err = await gater!.api.getVersion('reg_gh', 'x').catch((e: unknown) => e);
    expect(isGaterError(err, 'no_workers')).toBe(true);
  });
});

describe('wrong secret and wrong cookie', () => {
  const gossipPort = randomGossipPort();
  let nodes: NodeProcess[] = [];

  beforeAll(async () => {
    nodes = await Promise.all([
      spawnNode({ cookie: COOKIE, secret: SECRET, gossipPort, heartbeatMs: 300, name: 'good@127.0.0.1' }),
      spawnNode({
        cookie: COOKIE,
        secret: 'the_wrong_secret_x',
        gossipPort,
        heartbeatMs: 300,
        name: 'badsecret@127.0.0.1',
      }),
      spawnNode({
        cookie: 'the_wrong_cookie_y',
        secret: SECRET,
        gossipPort,
        heartbeatMs: 300,
        name: 'badcookie@127.0.0.1',
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  });

  it('status --cluster --json: the wrong-secret node never appears and is counted bad; the wrong-cookie node is refused as unauthorized; no secret or cookie in any output', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        BIN,
        'status',
        '--cluster',
        '--json',
        '--gossip-if',
        '127.0.0.1',
        '--gossip-port',
        String(gossipPort),
        '--secret',
        SECRET,
        '--cookie',
        COOKIE,
        '--wait',
        '2000',
      ],
      { env: { ...process.env, EX_ESDB_HEARTBEAT_MS: '300', CI: '1' } },
    );
    const status = JSON.parse(stdout.trim().split('\n').pop()!) as {
      mode: string;
      nodes: { name: string; state: string; workers: number; heartbeatAgeMs: number | null }[];
      badPackets: Record<string, number>;
      unauthorized: { address: string; message: string }[];
    };
    expect(status.mode).toBe('cluster');
    const names = status.nodes.map((n) => n.name);
    expect(names).toContain('good@127.0.0.1');
    expect(names).not.toContain('badsecret@127.0.0.1');
    expect(status.nodes.find((n) => n.name === 'good@127.0.0.1')).toMatchObject({ state: 'alive', workers: 1 });
    expect(status.badPackets['127.0.0.1']).toBeGreaterThan(0);
    expect(status.unauthorized.length).toBe(1);
    const outputs = [stdout, stderr, ...nodes.map((n) => n.output())].join('\n');
    for (const s of [SECRET, COOKIE, 'the_wrong_secret_x', 'the_wrong_cookie_y']) expect(outputs).not.toContain(s);
    // the refusal shows on the wrong-cookie node's side too
    expect(nodes[2]!.output()).toMatch(/unauthori[sz]ed|rejected|refused/i);
  });
});
