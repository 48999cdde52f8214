// Baselines for npm run bench: the same work done by the bare tools, measured in the same run.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { encodeFrame, FrameDecoder } from '../dist/core/wire/frame.js';
import { LatencyHistogram } from '../dist/core/bench/index.js';

const event = (t) => ({ eventType: 'bench:v1', data: { t } });

/** A plain in-memory store: a Map of stream arrays and one global log, appended one call at a time. */
async function mapStore(events, batch) {
  const streams = new Map();
  const all = [];
  const append = async (streamId, evs) => {
    let s = streams.get(streamId);
    if (!s) streams.set(streamId, (s = []));
    const created = new Date().toISOString();
    for (const e of evs) {
      // fields copied one by one: an object spread with added keys is V8's slow path (~3 µs an event here)
      const r = {
        eventType: e.eventType,
        data: e.data,
        eventStreamId: streamId,
        eventNumber: s.length,
        position: all.length,
        created,
      };
      s.push(r);
      all.push(r);
    }
    return s.length - 1;
  };
  const t0 = performance.now();
  for (let i = 0, k = 0; i < events; i += batch, k++) {
    const t = performance.now();
    const evs = new Array(batch);
    for (let j = 0; j < batch; j++) evs[j] = event(t);
    await append(`s${k % 10}`, evs);
  }
  return events / ((performance.now() - t0) / 1000);
}

/** The request frame of call `i` in the echo: an append of `batch` bench events made at `t`. */
const echoAppend = (batch) => (i, t) => {
  const evs = new Array(batch);
  for (let j = 0; j < batch; j++) evs[j] = event(t);
  return { id: i, op: 'append', args: { store: 'reg_gh', streamId: `s${i % 10}`, events: evs } };
};

/**
 * A raw TCP JSON echo on loopback with the product's framing: one request frame in flight, echoed back. Frame `i`
 * is `frameOf(i, t)` (t: when its call began), or an append of `frameOf` bench events when it is a number. `run(n)`
 * may be called again (rounds taken in turn with the product's); it gives calls/s, the p50 and the CPU time this
 * process (client and server) spent per call. `close()` ends it.
 */
async function openTcpEcho(frameOf) {
  const frame = typeof frameOf === 'number' ? echoAppend(frameOf) : frameOf;
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    const dec = new FrameDecoder();
    sock.on('data', (c) => {
      for (const f of dec.push(c)) sock.write(encodeFrame(f));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const sock = net.connect(server.address().port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((r) => sock.once('connect', r));
  const dec = new FrameDecoder();
  let pending;
  sock.on('data', (c) => {
    for (const f of dec.push(c)) pending(f);
  });
  const hist = new LatencyHistogram();
  const run = async (n) => {
    hist.reset();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const p = new Promise((r) => (pending = r));
      sock.write(encodeFrame(frame(i, t)));
      await p;
      hist.record(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    return {
      perSec: n / ((performance.now() - t0) / 1000),
      p50: hist.summary().p50,
      cpuMicrosPerCall: (cpu.user + cpu.system) / n,
    };
  };
  await run(2000); // warm-up
  return {
    run,
    close: () => {
      sock.destroy();
      server.close();
    },
  };
}

/** One echo run of `calls` calls after a warm-up. */
async function tcpEcho(calls, batch) {
  const echo = await openTcpEcho(batch);
  try {
    return await echo.run(calls);
  } finally {
    echo.close();
  }
}

/** Raw better-sqlite3: one transaction with one INSERT per event per batch, WAL and the given synchronous. */
async function rawSqlite(file, events, batch, synchronous) {
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
  db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, n INTEGER NOT NULL,
    event_type TEXT NOT NULL, data TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (stream, n))`);
  const insert = db.prepare('INSERT INTO events (stream, n, event_type, data, created) VALUES (?, ?, ?, ?, ?)');
  const versions = new Map();
  const tx = db.transaction((stream, evs) => {
    let n = versions.get(stream) ?? -1;
    const created = new Date().toISOString();
    for (const e of evs) insert.run(stream, ++n, e.eventType, JSON.stringify(e.data), created);
    versions.set(stream, n);
  });
  const t0 = performance.now();
  for (let i = 0, k = 0; i < events; i += batch, k++) {
    const t = performance.now();
    const evs = new Array(batch);
    for (let j = 0; j < batch; j++) evs[j] = event(t);
    await Promise.resolve(tx(`s${k % 10}`, evs));
  }
  const perSec = events / ((performance.now() - t0) / 1000);
  db.close();
  return perSec;
}

/**
 * Raw pg on the appends the product is timed on (`{stream, expected, events}`, expected = the stream's version
 * before): one multi-row INSERT per append of the same columns the product keeps (id, type, data, metadata), into a
 * table in a fresh schema (the caller drops it). Events/s.
 */
async function rawPgAppends(url, schema, appends) {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await c.query(`DROP TABLE IF EXISTS "${schema}".events`);
    await c.query(`CREATE TABLE "${schema}".events (position BIGSERIAL PRIMARY KEY, stream TEXT NOT NULL,
      n BIGINT NOT NULL, event_id TEXT NOT NULL, event_type TEXT NOT NULL, data JSONB NOT NULL, metadata JSONB,
      created TIMESTAMPTZ NOT NULL DEFAULT now(), UNIQUE (stream, n))`);
    let events = 0;
    const t0 = performance.now();
    for (const a of appends) {
      const values = [];
      const params = [];
      a.events.forEach((e, j) => {
        params.push(
          a.stream,
          a.expected + 1 + j,
          e.eventId,
          e.eventType,
          JSON.stringify(e.data),
          JSON.stringify(e.metadata),
        );
        const b = j * 6;
        values.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`);
      });
      await c.query(
        `INSERT INTO "${schema}".events (stream, n, event_id, event_type, data, metadata) VALUES ${values.join(', ')}`,
        params,
      );
      events += a.events.length;
    }
    return events / ((performance.now() - t0) / 1000);
  } finally {
    await c.end();
  }
}

export const baselines = { mapStore, tcpEcho, openTcpEcho, rawSqlite, rawPgAppends };
