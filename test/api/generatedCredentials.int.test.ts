/**
 * Issue #11 item 2, through the package API: startGater without a cookie or gossip secret never uses the fixed
 * development values; it generates strong ones in a user-only file (the CLI's) and reuses them.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGater, startNode, type Gater, type StoreNodeHandle } from '../../src/index.js';
import { randomGossipPort, waitFor } from '../helpers/cluster.js';

describe('startGater without a cookie or secret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ex-esdb-api-creds-'));
  const gaters: Gater[] = [];
  const nodes: StoreNodeHandle[] = [];
  const lines: string[] = [];
  const log = (level: string, msg: string): void => void lines.push(`${level} ${msg}`);

  afterAll(async () => {
    await Promise.all(gaters.map((g) => g.stop()));
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  const node = async (opts: Parameters<typeof startNode>[0]): Promise<StoreNodeHandle> => {
    const n = await startNode(opts);
    nodes.push(n);
    return n;
  };
  const gateway = async (opts: Parameters<typeof startGater>[0]): Promise<Gater> => {
    const g = await startGater({ credentialDir: dir, log, timeoutMs: 2000, noWorkersWaitMs: 1000, ...opts });
    gaters.push(g);
    return g;
  };

  it('is refused by a node on the development cookie, and uses a generated user-only cookie instead', async () => {
    const devNode = await node({ name: 'dev@test', listen: { cookie: 'dev_cookie' } });
    const g = await gateway({ connect: [devNode.address] });
    await waitFor(() => g.cluster.status().unauthorized.length > 0, 5000, 'refused by the dev-cookie node');
    expect(g.registry.links()).toHaveLength(0);
    const file = join(dir, 'cookie');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const cookie = readFileSync(file, 'utf8').trim();
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(lines.filter((l) => l.includes(file))).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(cookie);
  });

  it('a second gateway reuses the same file and links to a node given its value', async () => {
    const cookie = readFileSync(join(dir, 'cookie'), 'utf8').trim();
    const n = await node({ name: 'gen@test', listen: { cookie } });
    const g = await gateway({ connect: [n.address] });
    await waitFor(() => g.api.gatewayWorkersForStore('reg_gh').length > 0, 5000, 'linked with the generated cookie');
    expect(await g.api.appendEvents('reg_gh', 'generated', [{ eventType: 'ok:v1', data: {} }])).toBe(0);
    expect(readFileSync(join(dir, 'cookie'), 'utf8').trim()).toBe(cookie);
  });

  it('gossip without a secret uses a generated one: a node on that secret is found, one on the dev secret is not', async () => {
    const gossipPort = randomGossipPort();
    const g = await gateway({ gossip: { port: gossipPort, iface: '127.0.0.1', heartbeatMs: 200 } });
    const secret = readFileSync(join(dir, 'cluster_secret'), 'utf8').trim();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, 'cluster_secret')).mode & 0o777).toBe(0o600);
    const cookie = readFileSync(join(dir, 'cookie'), 'utf8').trim();
    const gossip = (s: string) => ({ secret: s, gossipPort, interfaceAddr: '127.0.0.1', heartbeatMs: 200 });
    await node({ name: 'devgossip@test', listen: { cookie }, gossip: gossip('dev_cluster_secret') });
    await node({ name: 'gengossip@test', listen: { cookie }, gossip: gossip(secret) });
    await waitFor(
      () => g.registry.links().some((l) => l.node === 'gengossip@test'),
      5000,
      'the node on the generated secret linked',
    );
    // Heard or not, the dev-secret node's heartbeats do not decrypt: it is never linked, only counted.
    await waitFor(() => Object.keys(g.cluster.status().badPackets).length > 0, 5000, 'dev-secret heartbeats dropped');
    expect(g.registry.links().map((l) => l.node)).not.toContain('devgossip@test');
  });
});
