import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { GaterApi } from '../../src/core/api/gaterApi.js';
import { PubSub } from '../../src/core/api/pubsub.js';
import { WorkerRegistry } from '../../src/core/registry/workerRegistry.js';
import { connectTcpLink, type TcpLink } from '../../src/core/transport/tcpLink.js';
import { randomGossipPort, spawnNode, waitFor, type NodeProcess } from '../helpers/cluster.js';
import { testPgUrl } from '../helpers/postgres.js';

const url = testPgUrl();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Issue 10 item 6: three real node processes share one PostgreSQL schema; one is paused with SIGSTOP (as a VM
 * freeze or a long GC would). Appends through the gateway keep succeeding during the pause: no lock is held across
 * a round trip, and a call that times out on the paused node is retried on another one, which is then skipped.
 */
describe('PostgreSQL: a paused node does not stop writes to the store', () => {
  const schema = `t_pause_${randomBytes(5).toString('hex')}`;
  const nodes: NodeProcess[] = [];
  const links: TcpLink[] = [];
  afterAll(async () => {
    for (const n of nodes) {
      n.proc.kill('SIGCONT');
      await n.kill('SIGKILL');
    }
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('SIGSTOP one of three nodes: every append through the others succeeds during the pause', async () => {
    const cookie = 'pause-cookie';
    const gossipPort = randomGossipPort();
    const storage = `${url}?schema=${schema}`;
    for (let i = 0; i < 3; i++)
      nodes.push(await spawnNode({ cookie, gossipPort, storage, name: `pause${i}@127.0.0.1` }));
    const registry = new WorkerRegistry();
    for (const n of nodes) {
      const [host, port] = n.address.split(':');
      const link = await connectTcpLink({ host: host!, port: Number(port), nodeName: 'gw@127.0.0.1', cookie });
      links.push(link);
      registry.add(link);
    }
    const api = new GaterApi(registry, new PubSub(), { timeoutMs: 400, noWorkersWaitMs: 2000 });
    const acked = new Map<string, number>();
    const failures: string[] = [];
    let pausedAt = 0;
    let resumedAt = 0;
    let duringPause = 0;
    let slowest = 0;
    let running = true;
    const writer = async (w: number) => {
      const stream = `w${w}`;
      for (let i = 0; running; i++) {
        const t0 = Date.now();
        try {
          await api.appendEvents('reg_gh', stream, [{ eventType: 'tick:v1', data: { w, i } }]);
          acked.set(stream, (acked.get(stream) ?? 0) + 1);
          if (pausedAt && !resumedAt && t0 > pausedAt) duringPause++;
          if (pausedAt && !resumedAt) slowest = Math.max(slowest, Date.now() - t0);
        } catch (e) {
          failures.push(`${stream}#${i}: ${(e as Error).message}`);
        }
      }
    };
    const writers = Array.from({ length: 4 }, (_, w) => writer(w));
    const total = () => [...acked.values()].reduce((a, b) => a + b, 0);
    // Pause once writes flow, resume after the fault's length, stop once more went through (counted, not slept).
    await waitFor(() => total() >= 40 || failures.length > 0, 10_000, 'writes before the pause');
    nodes[0]!.proc.kill('SIGSTOP');
    pausedAt = Date.now();
    await sleep(4000); // the fault itself: ten call timeouts long
    resumedAt = Date.now();
    nodes[0]!.proc.kill('SIGCONT');
    const atResume = total();
    await waitFor(() => total() >= atResume + 20 || failures.length > 0, 10_000, 'writes after the pause');
    running = false;
    await Promise.all(writers);

    expect(failures).toEqual([]);
    expect(duringPause).toBeGreaterThan(20);
    // a call caught on the paused node costs one timeout, then that node is skipped
    expect(slowest).toBeLessThan(400 * 2 + 1000);
    // every acknowledged event is stored once, in order, as every node reads it
    for (const [stream, n] of acked) {
      const events = await api.getEvents('reg_gh', stream, 0, n + 10);
      expect(events.map((e) => (e.data as { i: number }).i)).toEqual(events.map((_, i) => i));
      expect(events).toHaveLength(n);
    }
    await api.close();
    for (const l of links) l.close();
  }, 60_000);
});
