// npm run bench: the performance targets of DESIGN §10, measured on this machine. Loopback only.
import { performance } from 'node:perf_hooks';
import net from 'node:net';
import { startGater } from '../dist/index.js';
import { MemoryStorage } from '../dist/node/storage/memory.js';
import { prepareEvents } from '../dist/node/store/eventStore.js';
import { generateGreenhouseEvents } from '../dist/domain/greenhouse/index.js';
import { startNode } from '../dist/node/startNode.js';
import { encodeFrame, FrameDecoder } from '../dist/core/wire/frame.js';
import { ObserverRegistry } from '../dist/core/observers/index.js';
import { seenLine } from '../dist/core/eventLines.js';
import { LineFeed } from '../dist/console/feed.js';

const only = process.argv[2];
const results = [];
const report = (name, value, target, ok) => {
  results.push({ name, value, target, ok });
  console.log(`${ok ? 'PASS' : 'MISS'}  ${name}: ${value}   (target: ${target})`);
};

async function embeddedOverhead() {
  const BATCHES = 2000;
  const batches = Array.from({ length: BATCHES }, (_, i) =>
    generateGreenhouseEvents(i === 0 ? -1 : 0, 100, { seed: i }),
  );
  // direct: the adapter alone, with the same validation/copy the engine does (prepareEvents)
  const direct = async () => {
    const a = new MemoryStorage();
    const t0 = performance.now();
    for (let i = 0; i < BATCHES; i++) await a.append('reg_gh', `s${i % 10}`, prepareEvents(batches[i]), 'any');
    return performance.now() - t0;
  };
  const viaApi = async () => {
    const g = await startGater();
    const t0 = performance.now();
    for (let i = 0; i < BATCHES; i++) await g.api.appendEvents('reg_gh', `s${i % 10}`, batches[i]);
    const ms = performance.now() - t0;
    await g.stop();
    return ms;
  };
  await direct();
  await viaApi(); // warm-up
  const d = Math.min(await direct(), await direct(), await direct());
  const a = Math.min(await viaApi(), await viaApi(), await viaApi());
  const ratio = a / d;
  report(
    'embedded append (batches of 100) vs storage adapter + validation',
    `${ratio.toFixed(2)}x (${((BATCHES * 100) / (a / 1000)).toFixed(0)} events/s via API)`,
    '<= 1.3x',
    ratio <= 1.3,
  );
}

async function tcpOverhead() {
  const N = 2000;
  const events = generateGreenhouseEvents(-1, 100, { seed: 1 });
  // bare JSON echo over loopback with the same framing
  const server = net.createServer((sock) => {
    const dec = new FrameDecoder();
    sock.on('data', (c) => {
      for (const f of dec.push(c)) sock.write(encodeFrame(f));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const sock = net.connect(server.address().port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const dec = new FrameDecoder();
  let pending;
  sock.on('data', (c) => {
    for (const f of dec.push(c)) pending(f);
  });
  const echo = async () => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const p = new Promise((r) => (pending = r));
      sock.write(
        encodeFrame({ id: i, op: 'append', args: { store: 'reg_gh', streamId: 's', events, expectedVersion: 'any' } }),
      );
      await p;
    }
    return performance.now() - t0;
  };
  const node = await startNode({ name: 'bench@127.0.0.1', listen: { cookie: 'bench' } });
  const g = await startGater({ connect: [node.address], cookie: 'bench' });
  while (g.registry.links().length === 0) await new Promise((r) => setTimeout(r, 10));
  const append = async () => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++)
      await g.api.appendEvents(
        'reg_gh',
        `s${i % 10}`,
        events.map((e) => ({ ...e, eventId: undefined })),
      );
    return performance.now() - t0;
  };
  await echo();
  await append();
  const e = Math.min(await echo(), await echo());
  const a = Math.min(await append(), await append());
  const ratio = a / e;
  report(
    'TCP append (100 events) vs bare JSON echo of the same frame',
    `${ratio.toFixed(2)}x (${(a / N).toFixed(2)} ms vs ${(e / N).toFixed(2)} ms per call)`,
    '<= 1.5x',
    ratio <= 1.5,
  );
  sock.destroy();
  server.close();
  await g.stop();
  await node.stop();
}

async function deliveryLatency() {
  const g = await startGater();
  const RATE = 5000;
  const SECONDS = 3;
  const lat = [];
  const sent = new Map();
  await g.api.saveSubscription('reg_gh', 'by_stream', '$all', 'transient', 0, (events) => {
    const now = performance.now();
    for (const e of events) lat.push(now - sent.get(e.data.i));
  });
  // 50 events every 10 ms = 5,000 events/s
  const per = RATE / 100;
  let i = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    const batch = [];
    for (let k = 0; k < per; k++, i++) batch.push({ eventType: 'tick:v1', data: { i } });
    const at = performance.now();
    for (const e of batch) sent.set(e.data.i, at);
    await g.api.appendEvents('reg_gh', `s${i % 7}`, batch);
    const next = t0 + ((i / per) * 1000) / 100;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await new Promise((r) => setTimeout(r, 100));
  lat.sort((a, b) => a - b);
  const p99 = lat[Math.floor(lat.length * 0.99)] ?? Infinity;
  report(
    `append -> subscriber delivery p99 at ${RATE} events/s (${lat.length}/${i} delivered)`,
    `${p99.toFixed(2)} ms`,
    '< 5 ms',
    p99 < 5 && lat.length === i,
  );
  await g.stop();
}

async function nodeRoutable() {
  // gossip on loopback only (network rule); default heartbeat of 1000 ms
  const HB = 1000;
  const gossipPort = 40000 + Math.floor(Math.random() * 20000);
  const g = await startGater({
    cookie: 'bench',
    gossip: { secret: 'bench', iface: '127.0.0.1', port: gossipPort, heartbeatMs: HB },
  });
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const node = await startNode({
      name: `routable${i}@127.0.0.1`,
      listen: { cookie: 'bench' },
      gossip: { secret: 'bench', gossipPort, interfaceAddr: '127.0.0.1', heartbeatMs: HB },
    });
    while (!g.registry.has(node.name)) await new Promise((r) => setTimeout(r, 2));
    times.push(performance.now() - t0);
    await node.stop();
    while (g.registry.has(node.name)) await new Promise((r) => setTimeout(r, 2));
  }
  const worst = Math.max(...times);
  report(
    'node routable after start (gossip, loopback)',
    `${worst.toFixed(0)} ms worst of ${times.length}`,
    `<= ${2 * HB} ms (two heartbeats)`,
    worst <= 2 * HB,
  );
  await g.stop();
}

async function liveMonitor() {
  // The monitor's pipeline without the Ink drawing: observer -> SEEN line -> ring buffer, read ~30 times a second.
  const SECONDS = Number(process.env.BENCH_MONITOR_SECONDS) || 60;
  const RATE = 10_000;
  const g = await startGater();
  const observers = new ObserverRegistry(g.api, 'reg_gh');
  const feed = new LineFeed(500);
  await observers.create('bench_all', 'by_stream', '$all', {
    listener: (events) => feed.pushMany('seen', events.map(seenLine)),
  });
  let frames = 0;
  let dirty = false;
  feed.subscribe(() => (dirty = true));
  const render = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    frames++;
    feed
      .lines(40)
      .map((l) => l.text)
      .join('\n');
  }, 33);
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let sent = 0;
  let heapMax = heap0;
  const per = RATE / 100;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    const batch = generateGreenhouseEvents(0, per);
    await g.api.appendEvents('reg_gh', `greenhouse${(sent % 7) + 1}`, batch);
    sent += per;
    if (sent % 10_000 === 0) heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
    const wait = t0 + (sent / RATE) * 1000 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const elapsed = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 200));
  clearInterval(render);
  const seen = observers.get('bench_all').seen;
  const exact = seen === sent && feed.total === sent && feed.lines().length === 500;
  // the store itself (memory storage) grows with every event; the monitor's own share is the 500-line buffer
  report(
    `live monitor pipeline at ${RATE} events/s for ${SECONDS} s`,
    `${(sent / elapsed).toFixed(0)} events/s sustained, counted ${seen}/${sent}, buffer ${feed.lines().length} lines, ${frames} frames (${(frames / elapsed).toFixed(0)} fps), heap +${((heapMax - heap0) / 1e6).toFixed(0)} MB incl. the in-memory store`,
    'exact counts, <= ~30 fps, bounded buffer, rate held',
    exact && frames / elapsed <= 31 && sent / elapsed >= RATE * 0.95,
  );
  await observers.stopAll();
  await g.stop();
}

const all = { embeddedOverhead, tcpOverhead, deliveryLatency, nodeRoutable, liveMonitor };
for (const [name, fn] of Object.entries(all)) {
  if (only && only !== name) continue;
  await fn();
}
const missed = results.filter((r) => !r.ok).length;
console.log(`\n${results.length - missed} targets met, ${missed} missed`);
