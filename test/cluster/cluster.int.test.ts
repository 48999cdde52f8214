import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterGater } from '../../src/clusterGater.js';
import { resolveConfig } from '../../src/cli/config.js';
import type { ClusterEvent } from '../../src/core/cluster/clusterMonitor.js';
import { isGaterError } from '../../src/core/errors.js';
import type { Gater } from '../../src/gater.js';
import { BIN, randomGossipPort, spawnNode, waitFor, type NodeProcess } from '../helpers/cluster.js';

const run = promisify(execFile);
const HB = 1000;
const COOKIE = 'cookie_c1u5t3r_t3st';
const SECRET = 'secret_g0ss1p_t3st';

describe('three store nodes and a gateway on loopback', () => {
  const gossipPort = randomGossipPort();
  const logs: string[] = [];
  const events: ClusterEvent[] = [];
  let nodes: NodeProcess[] = [];
  let gater: Gater | undefined;

  beforeAll(async () => {
    nodes = await Promise.all([1, 2, 3].map(() => spawnNode({ cookie: COOKIE, secret: SECRET, gossipPort, heartbeatMs: HB, poolSize: 2 })));
  });
  afterAll(async () => {
    await gater?.stop();
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  });

  it('the gateway sees all three within two heartbeat intervals and spreads calls over every node', async () => {
    const config = resolveConfig({ cluster: true, cookie: COOKIE, secret: SECRET, gossipIf: '127.0.0.1', gossipPort: String(gossipPort) }, {});
    const t0 = Date.now();
    gater = await startClusterGater({ config, log: (l, m) => logs.push(`${l} ${m}`), heartbeatMs: HB, noWorkersWaitMs: 1500 });
    gater.cluster.on((e) => events.push(e));
    await waitFor(() => gater!.registry.links().length === 3, 2 * HB, 'three nodes linked');
    const discoveredMs = Date.now() - t0;
    expect(discoveredMs).toBeLessThanOrEqual(2 * HB);
    expect(gater.api.gatewayWorkersForStore('reg_gh')).toHaveLength(6);

    for (let i = 0; i < 60; i++) {
      await gater.api.appendEvents('reg_gh', `spread-${i}`, [{ eventType: 'spread:v1', data: { i } }]);
      await gater.api.getVersion('reg_gh', `spread-${i}`);
    }
    const perNode = new Map<string, number>();
    for (const w of gater.api.gatewayWorkers()) perNode.set(w.node, (perNode.get(w.node) ?? 0) + (gater.registry.routed.get(w.id) ?? 0));
    console.info(`discovered in ${discoveredMs} ms; calls routed per node:`, Object.fromEntries(perNode));
    expect([...perNode.keys()].sort()).toEqual(nodes.map((n) => n.name).sort());
    for (const n of perNode.values()) expect(n).toBeGreaterThan(10);
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
    await new Promise((r) => setTimeout(r, 300));
    await victim.kill('SIGKILL');
    await waitFor(() => events.some((e) => e.type === 'node_down' && e.node === victim.name), 5000, 'victim down');
    await new Promise((r) => setTimeout(r, 300));
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
    expect(g.cluster.status().nodes.map((n) => n.name).filter((n) => !n.includes('@'))).toEqual([]);
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
      spawnNode({ cookie: COOKIE, secret: 'the_wrong_secret_x', gossipPort, heartbeatMs: 300, name: 'badsecret@127.0.0.1' }),
      spawnNode({ cookie: 'the_wrong_cookie_y', secret: SECRET, gossipPort, heartbeatMs: 300, name: 'badcookie@127.0.0.1' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  });

  it('status --cluster --json: the wrong-secret node never appears and is counted bad; the wrong-cookie node is refused as unauthorized; no secret or cookie in any output', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [BIN, 'status', '--cluster', '--json', '--gossip-if', '127.0.0.1', '--gossip-port', String(gossipPort), '--secret', SECRET, '--cookie', COOKIE, '--wait', '2000'],
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
