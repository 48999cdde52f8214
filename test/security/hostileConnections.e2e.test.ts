/**
 * Issue #11 items 2 and 6 against a real node process: a wrong-cookie flood is rate-limited per source (and
 * logged as a few summary lines, not a line per attempt); idle connections are capped per source and closed at
 * the handshake deadline; an authenticated slowloris is closed at the frame deadline; descriptors and memory come
 * back to their baseline.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStatus } from '../../src/cli/commands/status.js';
import { collectStatus } from '../../src/core/index.js';
import { startGater } from '../../src/gateway/index.js';
import { connectRpc } from '../../src/core/transport/index.js';
import { randomGossipPort, spawnNode, waitFor, type NodeProcess } from '../helpers/cluster.js';
import { RawPeer } from '../helpers/rawPeer.js';

const COOKIE = 'h0st1le_c00kie_e2b9f04c7a1d58e3';
const DEADLINE_MS = 600;

const fds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

describe('hostile connections against a node', () => {
  let node: NodeProcess;
  let port: number;
  let pid: number;
  let baseline: { fds: number; rssKb: number };
  // RSS after the first flood: V8 and malloc keep the pages a burst of hundreds of handshakes needed (a high-water
  // mark, measured at +40 MB on an idle machine), so "memory back to baseline" is checked as "later rounds of
  // hostile connections retain nothing more", which a per-connection leak would fail.
  let afterFloodRssKb = 0;

  const goodClient = async (): Promise<void> => {
    const c = await connectRpc({ host: '127.0.0.1', port, nodeName: 'good@127.0.0.1', cookie: COOKIE });
    // the node's liveness op (the one the router sends), answered once the session is up
    expect(await c.request('ping', { store: '', worker: '' }, 2000)).toMatchObject({ node: expect.any(String) });
    c.close();
  };

  beforeAll(async () => {
    node = await spawnNode({
      cookie: COOKIE,
      gossipPort: randomGossipPort(),
      extraArgs: ['--no-gossip'],
      env: { EX_ESDB_HANDSHAKE_TIMEOUT_MS: String(DEADLINE_MS), EX_ESDB_FRAME_TIMEOUT_MS: String(DEADLINE_MS) },
    });
    port = Number(node.address.split(':')[1]);
    pid = node.proc.pid!;
    await goodClient(); // warm up whatever a first session allocates
    await new Promise((r) => setTimeout(r, 200));
    baseline = { fds: fds(pid), rssKb: rssKb(pid) };
  });
  afterAll(async () => {
    await node?.kill('SIGKILL');
  });

  it('a wrong-cookie flood from one address is rate-limited, logged in summaries, and others still get in', async () => {
    let checked = 0;
    let limited = 0;
    const started = Date.now();
    const attempt = async (): Promise<void> => {
      const peer = await RawPeer.open(port, '127.0.0.1', '127.0.0.2');
      const first = (await peer.frame(0)) as { error?: { message: string } };
      if (first.error) {
        expect(first.error.message).toMatch(/too many failed handshakes from 127\.0\.0\.2: retry in \d+ s/);
        limited++;
      } else {
        await peer.authenticate('wrong-cookie-guess').catch(() => undefined);
        checked++;
      }
      peer.socket.destroy();
    };
    const workers = Array.from({ length: 10 }, async () => {
      while (Date.now() - started < 2000) await attempt();
    });
    await Promise.all([...workers, goodClient()]);
    const seconds = (Date.now() - started) / 1000;
    console.info(`flood: ${checked} guesses checked, ${limited} turned away in ${seconds.toFixed(1)} s`);
    // A burst of 10, then one every 2 s (plus in-flight attempts racing the first failures).
    expect(checked).toBeLessThanOrEqual(10 + 10 + Math.ceil(seconds / 2));
    expect(limited).toBeGreaterThan(checked);
    await goodClient();
    const lines = node.output().split('\n');
    expect(lines.filter((l) => l.includes('127.0.0.2')).length).toBeLessThanOrEqual(2);
    expect(node.output()).toMatch(/refused \d+ connections?: .*wrong cookie/);
    await new Promise((r) => setTimeout(r, 200));
    afterFloodRssKb = rssKb(pid);
  });

  it('idle connections are capped per source and closed at the handshake deadline', async () => {
    const peers = await Promise.all(
      Array.from({ length: 60 }, () => RawPeer.open(port, '127.0.0.1', '127.0.0.3').catch(() => undefined)),
    );
    const t0 = Date.now();
    await Promise.all(peers.map((p) => p?.closed));
    const took = Date.now() - t0;
    // 16 got a hello and waited for the deadline; the rest were closed at once.
    const greeted = peers.filter((p) => p && p.frames.length > 0).length;
    console.info(`idle: ${greeted} of 60 greeted, all closed in ${took} ms`);
    expect(greeted).toBeLessThanOrEqual(16);
    // Closed by the handshake deadline (its timeout frame says so), not by a wall-clock guess at a loaded box.
    for (const p of peers)
      if (p && p.frames.length > 0) expect(p.frames.at(-1)).toMatchObject({ error: { code: 'timeout' } });
    await goodClient();
  });

  it('an authenticated peer trickling a frame is closed at the frame deadline (slowloris)', async () => {
    const peers = await Promise.all(Array.from({ length: 10 }, () => RawPeer.open(port, '127.0.0.1', '127.0.0.4')));
    for (const p of peers) expect(await p.authenticate(COOKIE)).toMatchObject({ welcome: {} });
    const t0 = Date.now();
    const trickle = setInterval(() => {
      for (const p of peers) if (!p.socket.destroyed) p.socket.write(Buffer.from('x'));
    }, 100);
    // Three bytes of a length header, then one byte every 100 ms: the header reads 120 ('x'), so 12 s for a frame.
    for (const p of peers) p.socket.write(Buffer.from([0, 0, 0]));
    try {
      await Promise.all(peers.map((p) => p.closed));
    } finally {
      clearInterval(trickle);
    }
    const took = Date.now() - t0;
    console.info(`slowloris: 10 closed after ${took} ms`);
    // At the frame deadline (the timeout frame), long before the 12 s the trickled frame would take to complete.
    for (const p of peers) expect(p.frames[2]).toMatchObject({ error: { code: 'timeout' } });
    await goodClient();
  });

  it('descriptors and memory come back to the baseline', async () => {
    const now = await waitFor(
      () => {
        const n = fds(pid);
        return n <= baseline.fds ? n : undefined;
      },
      5000,
      'descriptors back to baseline',
    ).catch(() => fds(pid));
    const rss = rssKb(pid);
    console.info(`fds ${baseline.fds} -> ${now}; rss ${baseline.rssKb} kB -> ${afterFloodRssKb} kB -> ${rss} kB`);
    expect(now).toBeLessThanOrEqual(baseline.fds);
    expect(afterFloodRssKb).toBeGreaterThan(0);
    expect(rss - afterFloodRssKb).toBeLessThan(15 * 1024);
  });

  it("status shows the node's own counters, fetched over the link (item 7)", async () => {
    const g = await startGater({ connect: [node.address], cookie: COOKIE, noWorkersWaitMs: 1000 });
    try {
      await waitFor(() => g.registry.links().length === 1, 5000, 'linked');
      const s = await collectStatus(g);
      const counters = s.nodes[0]!.counters!;
      console.info('node counters:', JSON.stringify(counters));
      expect(counters.rejectedAuth).toBeGreaterThanOrEqual(1);
      expect(counters.rateLimited).toBeGreaterThan(0);
      expect(counters.overCapacity).toBeGreaterThan(0);
      expect(counters.handshakeTimeouts).toBeGreaterThanOrEqual(16);
      expect(counters.frameTimeouts).toBe(10);
      expect(renderStatus(s)).toMatch(/counters: .*rateLimited=\d+/);
    } finally {
      await g.stop();
    }
  });
});
