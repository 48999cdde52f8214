// npm run bench: the performance targets of DESIGN §10, measured on this machine against baselines measured in the
// same run (a plain Map store, a raw TCP JSON echo, raw better-sqlite3, raw pg). Loopback only; PostgreSQL in
// database `test` at 127.0.0.1:5432 (BENCH_PG_URL), in fresh schemas dropped afterwards.
// `node bench/run.js <name>` runs one target; BENCH_MONITOR_SECONDS shortens the live monitor run.
import { performance } from 'node:perf_hooks';
import { startGater } from '../dist/index.js';
import { MemoryStorage } from '../dist/node/storage/memory.js';
import { validateEvents } from '../dist/core/eventValidation.js';
import { generateGreenhouseEvents } from '../dist/domain/greenhouse/index.js';
import { startNode } from '../dist/node/startNode.js';
import { ObserverRegistry } from '../dist/core/observers/index.js';
import { seenLine } from '../dist/core/eventLines.js';
import { LineFeed } from '../dist/console/feed.js';
import { LatencyHistogram, runBench } from '../dist/core/bench/index.js';
import { baselines } from './baselines.js';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const only = process.argv[2];
const results = [];
const report = (name, value, target, ok) => {
  results.push({ name, value, target, ok });
  console.log(`${ok ? 'PASS' : 'MISS'}  ${name}: ${value}   (target: ${target})`);
};
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
/** Where a target run as a child process writes its results for the whole run to count (one JSON line each). */
const RESULTS_FILE = process.env.BENCH_RESULTS_FILE;

async function embeddedOverhead() {
  const BATCHES = 2000;
  const batches = Array.from({ length: BATCHES }, (_, i) =>
    generateGreenhouseEvents(i === 0 ? -1 : 0, 100, { seed: i }),
  );
  // direct: the adapter alone, with the same validation/copy the engine does (validateEvents)
  const direct = async () => {
    const a = new MemoryStorage();
    const t0 = performance.now();
    for (let i = 0; i < BATCHES; i++) await a.append('reg_gh', `s${i % 10}`, validateEvents(batches[i]), 'any');
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
  // Each timed run starts on a collected heap: the stores of the runs before it (200,000 events each) were
  // otherwise collected inside whichever run came next (ratios from 1.04x to 1.64x in four runs in a row).
  const timed = async (run) => {
    gc();
    return run();
  };
  await direct();
  await viaApi(); // warm-up
  let d = Infinity;
  let a = Infinity;
  for (let i = 0; i < 5; i++) {
    d = Math.min(d, await timed(direct));
    a = Math.min(a, await timed(viaApi));
  }
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
  // bare JSON echo over loopback with the same framing, the 100 events as the product sends them
  const echo = await baselines.openTcpEcho((i) => ({
    id: i,
    op: 'append',
    args: { store: 'reg_gh', streamId: 's', events, expectedVersion: 'any' },
  }));
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
  await append();
  const e = 1000 / Math.max((await echo.run(N)).perSec, (await echo.run(N)).perSec);
  const a = Math.min(await append(), await append()) / N;
  const ratio = a / e;
  report(
    'TCP append (100 events) vs bare JSON echo of the same frame',
    `${ratio.toFixed(2)}x (${a.toFixed(2)} ms vs ${e.toFixed(2)} ms per call)`,
    '<= 1.5x',
    ratio <= 1.5,
  );
  echo.close();
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

/**
 * Five seconds open loop at `rate` events/s in batches of `batch`, one live `$all` subscriber (latency from each
 * call's scheduled send time): the run, its append and delivery figures, and whether every event arrived once, in order.
 */
async function liveRun(g, rate, batch) {
  const live = await runBench(g.api, {
    store: 'reg_gh',
    rate,
    batch,
    durationMs: 5000,
    subscribers: 1,
    read: false,
    streams: 10,
  });
  const once = live.delivery.missing === 0 && live.delivery.duplicates === 0 && live.delivery.outOfOrder === 0;
  return {
    live,
    append: live.ops.find((o) => o.op === 'append'),
    delivery: live.ops.find((o) => o.op === 'delivery'),
    once,
  };
}

/**
 * `events` greenhouse events in appends of `batch` over 100 streams named after `prefix`, each append with the
 * stream's version before it as its expected version; made beforehand, so neither side's timing includes them.
 */
function greenhouseAppends(prefix, batch, events) {
  const versions = new Array(100).fill(-1);
  const out = [];
  for (let i = 0; i < events / batch; i++) {
    const s = i % 100;
    out.push({ stream: `${prefix}-${s}`, expected: versions[s], events: generateGreenhouseEvents(versions[s], batch) });
    versions[s] += batch;
  }
  return out;
}

/** The appends through the product's API, one call in flight: events/s and the p50 of a call (ms). */
async function appendAll(g, appends) {
  const hist = new LatencyHistogram();
  let events = 0;
  const t0 = performance.now();
  for (const a of appends) {
    const t = performance.now();
    await g.api.appendEvents('reg_gh', a.stream, a.events, a.expected);
    hist.record(performance.now() - t);
    events += a.events.length;
  }
  return { perSec: events / ((performance.now() - t0) / 1000), p50: hist.summary().p50 };
}

/** One bench run through the product's own load generator (closed loop: one call in flight per client). */
async function product(gater, opts) {
  return runBench(gater.api, { store: 'reg_gh', read: false, streams: 10, ...opts });
}
const rate = (r) => r.ops[0].eventsPerSec;
/** The middle of an odd number of figures; with `key`, the item whose key is the middle one. */
const median = (xs, key = (x) => x) => [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)];
const p50 = (r) => r.ops[0].latency.p50;
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function embeddedMemory() {
  const g = await startGater();
  await product(g, { events: 20_000 }); // warm-up
  const b1 = await product(g, { events: 100_000 });
  const b100 = await product(g, { events: 1_000_000, batch: 100 });
  await g.stop();
  const map1 = await baselines.mapStore(100_000, 1);
  const map100 = await baselines.mapStore(1_000_000, 100);
  report(
    'embedded memory, batch 1, one call in flight',
    `${fmt(rate(b1))} appends/s (${(rate(b1) / map1).toFixed(2)}x a plain Map store: ${fmt(map1)}/s)`,
    '>= 100,000 appends/s',
    rate(b1) >= 100_000,
  );
  report(
    'embedded memory, batch 100, one call in flight',
    `${fmt(rate(b100))} events/s (${(rate(b100) / map100).toFixed(2)}x a plain Map store: ${fmt(map100)}/s)`,
    '>= 1,000,000 events/s',
    rate(b100) >= 1_000_000,
  );
}

async function tcpNode() {
  const node = await startNode({ name: 'benchtcp@127.0.0.1', listen: { cookie: 'bench' } });
  const g = await startGater({ connect: [node.address], cookie: 'bench' });
  while (g.registry.links().length === 0) await new Promise((r) => setTimeout(r, 10));
  await product(g, { events: 5_000 }); // warm-up
  // Batch 1 in five rounds, product and echo in turn, 4,000 calls each: the median of the rounds' ratios, so a
  // moment of noise on the machine lands in one round of one side, not in the whole figure.
  const echo = await baselines.openTcpEcho(1);
  const rounds = [];
  for (let i = 0; i < 5; i++) {
    const cpu0 = process.cpuUsage();
    const b1 = await product(g, { events: 4_000 });
    const cpu = process.cpuUsage(cpu0);
    rounds.push({ b1, cpuMicrosPerCall: (cpu.user + cpu.system) / 4_000, echo: await echo.run(4_000) });
  }
  echo.close();
  const ratio1 = median(rounds.map((r) => p50(r.b1) / r.echo.p50));
  const b100 = await product(g, { events: 500_000, batch: 100 });
  const echo100 = await baselines.tcpEcho(5_000, 100);
  report(
    'TCP append p50, batch 1, vs a raw TCP JSON echo of the same frame',
    `${ratio1.toFixed(2)}x, median of 5 rounds taken in turn (p50 ${rounds.map((r) => `${p50(r.b1).toFixed(3)}/${r.echo.p50.toFixed(3)}`).join(', ')} ms; ${fmt(median(rounds.map((r) => rate(r.b1))))} vs ${fmt(median(rounds.map((r) => r.echo.perSec)))} calls/s; CPU of this process per call, both ends: ${fmt(median(rounds.map((r) => r.cpuMicrosPerCall)))} vs ${fmt(median(rounds.map((r) => r.echo.cpuMicrosPerCall)))} µs)`,
    '<= 1.5x',
    ratio1 <= 1.5,
  );
  report(
    'TCP append, batch 100, one call in flight',
    `${fmt(rate(b100))} events/s (echo of the same frames: ${fmt(echo100.perSec * 100)} events/s, ${(rate(b100) / (echo100.perSec * 100)).toFixed(2)}x)`,
    '>= 140,000 events/s',
    rate(b100) >= 140_000,
  );
  // append -> delivery at 5,000 events/s, batch 1, open loop (latency from the scheduled send time)
  const { live, delivery: d, once: ok } = await liveRun(g, 5000, 1);
  report(
    'TCP append -> delivery, 5,000 events/s, batch 1, open loop',
    `p50 ${d.latency.p50.toFixed(2)} ms, p99 ${d.latency.p99.toFixed(2)} ms, max ${d.latency.max.toFixed(1)} ms; ${fmt(live.delivery.delivered[0])}/${fmt(live.delivery.expected)} delivered ${ok ? 'once, in order' : 'NOT once in order'}`,
    'p99 < 5 ms, every event once, in order',
    d.latency.p99 < 5 && ok,
  );
  await g.stop();
  await node.stop();
}

async function sqliteStorage() {
  const dir = mkdtempSync(join(tmpdir(), 'ex-esdb-bench-'));
  try {
    for (const sync of ['normal', 'full']) {
      for (const [batch, events] of [
        [1, sync === 'full' ? 2_000 : 10_000],
        [100, sync === 'full' ? 50_000 : 200_000],
      ]) {
        const file = join(dir, `p-${sync}-${batch}.db`);
        const g = await startGater({ storage: `sqlite:${file}${sync === 'full' ? '?synchronous=full' : ''}` });
        const r = await product(g, { events, batch });
        await g.stop();
        const raw = await baselines.rawSqlite(join(dir, `r-${sync}-${batch}.db`), events, batch, sync);
        report(
          `SQLite (WAL, synchronous=${sync.toUpperCase()}), batch ${batch}, vs raw better-sqlite3 (same pragmas)`,
          `${(rate(r) / raw).toFixed(2)}x (${fmt(rate(r))} vs ${fmt(raw)} events/s)`,
          'reported (no §10 target)',
          true,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `measure` against the bench's PostgreSQL server (BENCH_PG_URL) in fresh schemas named from `schema`, dropped
 * afterwards. An unreachable server is a missed `target`. `checkpoint()` goes just before each measurement, so no
 * phase starts with the dirty pages of the one before it to flush (the server's own checkpoints come every 5
 * minutes or max_wal_size of WAL, wherever they fall); it needs superuser or pg_checkpoint, and without it the runs
 * go on as they come.
 */
async function withPostgres(target, measure) {
  const url = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
  } catch (e) {
    report(target, `skipped: cannot reach ${url} (${e.message})`, 'a reachable server', false);
    return;
  }
  const checkpoint = () => admin.query('CHECKPOINT').catch(() => {});
  try {
    await measure(url, schema, checkpoint);
  } finally {
    const { rows } = await admin.query('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [schema]);
    for (const r of rows) await admin.query(`DROP SCHEMA IF EXISTS "${r.nspname}" CASCADE`).catch(() => {});
    await admin.end();
  }
}

const postgresStorage = () =>
  withPostgres('PostgreSQL vs raw pg', async (url, schema, checkpoint) => {
    const raw = `${schema}_raw`;
    // The issue's workload: greenhouse events (with correlation metadata) over 100 streams, the expected version on
    // every append, one call in flight; raw pg inserts the same rows. Three rounds of product and raw pg taken in
    // turn, the median of their ratios: the raw figure alone moved from 2,224 to 2,929 events/s at batch 1 between
    // two runs here while the product's stayed within 7%.
    for (const [batch, events] of [
      [1, 4_000],
      [100, 60_000],
    ]) {
      const g = await startGater({ storage: `${url}?schema=${schema}` });
      await appendAll(g, greenhouseAppends(`warm${batch}`, batch, Math.min(events, 1000))); // schema, pool
      const rounds = [];
      for (let i = 0; i < 3; i++) {
        const appends = greenhouseAppends(`b${batch}r${i}`, batch, events);
        await checkpoint();
        const r = await appendAll(g, appends);
        await checkpoint();
        const base = await baselines.rawPgAppends(url, raw, appends);
        rounds.push({ product: r.perSec, raw: base, ratio: r.perSec / base, p50: r.p50 });
      }
      await g.stop();
      const mid = median(rounds, (r) => r.ratio);
      report(
        `PostgreSQL append, batch ${batch}, greenhouse events over 100 streams with expected versions, vs raw pg (one multi-row INSERT per batch)`,
        `${mid.ratio.toFixed(2)}x, median of 3 rounds taken in turn (${rounds.map((r) => `${fmt(r.product)} vs ${fmt(r.raw)}`).join(', ')} events/s; p50 ${mid.p50.toFixed(2)} ms)`,
        '>= 0.6x',
        mid.ratio >= 0.6,
      );
    }
    // Three pairs taken in turn, the median of their ratios: one pair's ratio moved from 2.7x to 3.8x between runs
    // on one machine, a moment of noise landing on one side of it.
    const g = await startGater({ storage: `${url}?schema=${schema}` });
    const pairs = [];
    for (let i = 0; i < 3; i++) {
      await checkpoint();
      const one = rate(await product(g, { events: 3_000, clients: 1, streams: 8 }));
      await checkpoint();
      const eight = rate(await product(g, { events: 12_000, clients: 8, streams: 8 }));
      pairs.push({ one, eight, ratio: eight / one });
    }
    await g.stop();
    const mid = median(pairs, (p) => p.ratio);
    report(
      'PostgreSQL, 8 writers on different streams vs one writer',
      `${mid.ratio.toFixed(2)}x, median of 3 pairs taken in turn (${pairs.map((p) => `${fmt(p.eight)} vs ${fmt(p.one)}`).join(', ')} events/s)`,
      '>= 3x',
      mid.ratio >= 3,
    );
  });

/**
 * A node on PostgreSQL behind TCP, open loop at 5,000 events/s in batches of 10, one live `$all` subscriber. A
 * target of its own, in its own process after postgresStorage has dropped its tables (so no vacuum of them runs
 * during it).
 */
const postgresLive = () =>
  withPostgres('TCP node on PostgreSQL', async (url, schema, checkpoint) => {
    await checkpoint();
    await tcpNodeOnPostgres(`${url}?schema=${schema}`);
  });

async function tcpNodeOnPostgres(storage) {
  const RATE = 5000;
  const node = await startNode({ name: 'benchpg@127.0.0.1', listen: { cookie: 'bench' }, storage });
  const g = await startGater({ connect: [node.address], cookie: 'bench' });
  try {
    while (g.registry.links().length === 0) await new Promise((r) => setTimeout(r, 10));
    await product(g, { events: 2_000, batch: 10 }); // warm-up (schema, pool)
    const { live, append: a, delivery: d, once } = await liveRun(g, RATE, 10);
    // Open loop: calls go out on schedule whatever came back, so a node that falls behind shows a lower rate (the
    // run lasts longer) and queueing shows in the latencies.
    const keepsUp = a.eventsPerSec >= 0.95 * RATE && Object.keys(a.errors).length === 0;
    report(
      `TCP node on PostgreSQL, ${fmt(RATE)} events/s in batches of 10, open loop: append -> delivery`,
      `${fmt(a.eventsPerSec)} events/s appended (append p99 ${a.latency.p99.toFixed(1)} ms); delivery p50 ${d.latency.p50.toFixed(2)} ms, p99 ${d.latency.p99.toFixed(2)} ms, max ${d.latency.max.toFixed(1)} ms; ${fmt(live.delivery.delivered[0])}/${fmt(live.delivery.expected)} delivered ${once ? 'once, in order' : 'NOT once in order'}`,
      'keeps up, delivery p99 < 20 ms, every event once, in order',
      keepsUp && d.latency.p99 < 20 && once,
    );
  } finally {
    await g.stop();
    await node.stop();
  }
}

const all = {
  embeddedMemory,
  embeddedOverhead,
  tcpNode,
  tcpOverhead,
  deliveryLatency,
  sqliteStorage,
  postgresStorage,
  postgresLive,
  nodeRoutable,
  liveMonitor,
};
if (only) {
  if (!all[only]) {
    console.error(`unknown bench target "${only}": use one of ${Object.keys(all).join(', ')}`);
    process.exit(2);
  }
  await all[only]();
  if (RESULTS_FILE) appendFileSync(RESULTS_FILE, results.map((r) => `${JSON.stringify(r)}\n`).join(''));
} else {
  // Each target in a fresh process: one target's heap (a million events in a memory store) and timers must not
  // land in the next one's figures (the PostgreSQL live run once had append p99 113 ms after the other targets in
  // one process, 7-25 ms alone).
  const file = join(mkdtempSync(join(tmpdir(), 'ex-esdb-bench-')), 'results.jsonl');
  writeFileSync(file, '');
  for (const name of Object.keys(all)) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), name], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_RESULTS_FILE: file },
    });
    if (child.status !== 0)
      report(name, `the bench process failed (exit ${child.status ?? child.signal})`, 'runs', false);
  }
  for (const line of readFileSync(file, 'utf8').split('\n')) if (line) results.push(JSON.parse(line));
  rmSync(dirname(file), { recursive: true, force: true });
}
if (!RESULTS_FILE) {
  const missed = results.filter((r) => !r.ok).length;
  console.log(`\n${results.length - missed} targets met, ${missed} missed`);
}
