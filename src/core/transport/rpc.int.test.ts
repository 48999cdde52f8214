import { createServer, connect, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { GaterError, isGaterError } from '../errors.js';
import { encodeFrame, FrameDecoder } from '../wire/frame.js';
import { newNonce } from './handshake.js';
import {
  connectRpc,
  startRpcServer,
  type RpcClientOptions,
  type RpcConnection,
  type RpcServer,
  type RpcServerOptions,
  type RpcSession,
} from './index.js';

const COOKIE = 'cookie-that-must-stay-secret';
const HOST = '127.0.0.1';

const servers: RpcServer[] = [];
const connections: RpcConnection[] = [];
const rawServers: Server[] = [];
const logs: string[] = [];
let handled: string[] = [];

afterEach(async () => {
  for (const c of connections.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(rawServers.splice(0).map((s) => new Promise((r) => s.close(r))));
  // Whatever happened in the test, the cookie never reached a log line.
  expect(logs.join('\n')).not.toContain(COOKIE);
  logs.length = 0;
  handled = [];
});

async function handler(session: RpcSession, op: string, args: unknown): Promise<unknown> {
  handled.push(op);
  const a = args as Record<string, number>;
  switch (op) {
    case 'echo':
      return args;
    case 'whoami':
      return session.remoteNode;
    case 'fail':
      throw new GaterError('wrong_expected_version', 'stream is at 3', { expected: 1, current: 3 });
    case 'crash':
      throw new Error('boom');
    case 'slow':
      await sleep(a.ms);
      return 'late';
    case 'never':
      return new Promise(() => {});
    case 'big':
      return 'x'.repeat(a.n ?? 0);
    case 'list':
      return Array.from({ length: a.n ?? 0 }, (_, i) => `${i}:${'l'.repeat(a.size ?? 0)}`);
    case 'push':
      for (let i = 0; i < (a.n ?? 0); i++) session.push('sub-1', [{ n: i }]);
      return 'pushed';
    default:
      throw new GaterError('invalid_argument', `unknown op ${op}`);
  }
}

async function server(overrides: Partial<RpcServerOptions> = {}): Promise<RpcServer> {
  const s = await startRpcServer({
    nodeName: 'store-a@127.0.0.1',
    cookie: COOKIE,
    welcome: () => ({ stores: ['greenhouse'], workers: [{ store: 'greenhouse', id: 'w1' }] }),
    handler,
    log: (level, msg) => logs.push(`${level} ${msg}`),
    ...overrides,
  });
  servers.push(s);
  return s;
}

async function client(srv: { port: number }, overrides: Partial<RpcClientOptions> = {}): Promise<RpcConnection> {
  const c = await connectRpc({
    host: HOST,
    port: srv.port,
    nodeName: 'gw-1',
    cookie: COOKIE,
    log: (level, msg) => logs.push(`${level} ${msg}`),
    ...overrides,
  });
  connections.push(c);
  return c;
}

async function rejection(p: Promise<unknown>): Promise<GaterError> {
  try {
    await p;
  } catch (e) {
    return e as GaterError;
  }
  throw new Error('expected a rejection');
}

/** A raw TCP server that plays a scripted (mis)behaving store node. */
async function rawServer(onFrame: (frame: unknown, send: (v: unknown) => void) => void, greet = true): Promise<number> {
  const srv = createServer((socket) => {
    socket.on('error', () => {});
    const decoder = new FrameDecoder();
    const send = (v: unknown): void => void socket.write(encodeFrame(v));
    socket.on('data', (chunk) => decoder.push(chunk).forEach((f) => onFrame(f, send)));
    if (greet) send({ hello: { node: 'impostor', nonce: newNonce() } });
  });
  rawServers.push(srv);
  await new Promise<void>((r) => srv.listen(0, HOST, r));
  return (srv.address() as { port: number }).port;
}

describe('rpc handshake', () => {
  it('authenticates both ways and exchanges names, stores and workers', async () => {
    const srv = await server();
    const conn = await client(srv);
    expect(conn.remoteNode).toBe('store-a@127.0.0.1');
    expect(conn.welcome).toEqual({ stores: ['greenhouse'], workers: [{ store: 'greenhouse', id: 'w1' }] });
    expect(conn.closed).toBe(false);
    expect(srv.sessions().map((s) => s.remoteNode)).toEqual(['gw-1']);
    expect(srv.stats()).toEqual({
      accepted: 1,
      rejectedAuth: 0,
      handshakeTimeouts: 0,
      badFrames: 0,
      rateLimited: 0,
      overCapacity: 0,
      frameTimeouts: 0,
      tamperedFrames: 0,
      tlsRefused: 0,
      plaintextRefused: 0,
    });
    expect(await conn.request('whoami', null, 1000)).toBe('gw-1');
  });

  it('a wrong cookie is refused as unauthorized and counted on the server', async () => {
    const srv = await server();
    const err = await rejection(client(srv, { cookie: 'wrong-cookie' }));
    expect(isGaterError(err, 'unauthorized')).toBe(true);
    expect(err.message).not.toContain('wrong-cookie');
    expect(JSON.stringify(err)).not.toContain(COOKIE);
    expect(srv.stats()).toMatchObject({ accepted: 0, rejectedAuth: 1 });
    expect(srv.sessions()).toEqual([]);
    expect(logs.join('\n')).not.toContain('wrong-cookie');
  });

  it('the client refuses a server whose MAC is wrong (mutual authentication)', async () => {
    const port = await rawServer((frame, send) => {
      if ((frame as { auth?: unknown }).auth) {
        send({ welcome: { mac: 'ab'.repeat(32), node: 'impostor', stores: [], workers: [] } });
      }
    });
    const err = await rejection(client({ port }));
    expect(isGaterError(err, 'unauthorized')).toBe(true);
  });

  it('a peer that never sends auth is closed after the handshake deadline', async () => {
    const srv = await server({ handshakeTimeoutMs: 100 });
    const socket = connect(srv.port, HOST);
    const decoder = new FrameDecoder();
    const frames: unknown[] = [];
    socket.on('data', (chunk) => frames.push(...decoder.push(chunk)));
    // Closed by the deadline, not by anything else: the timeout frame and the counter say so (no wall-clock bound).
    await new Promise((r) => socket.on('close', r));
    expect(frames[0]).toMatchObject({ hello: { node: 'store-a@127.0.0.1' } });
    expect(frames[1]).toMatchObject({ error: { code: 'timeout' } });
    expect(srv.stats()).toMatchObject({ handshakeTimeouts: 1, accepted: 0 });
  });

  it('the client gives up with timeout when the server never says hello', async () => {
    const port = await rawServer(() => {}, false);
    const err = await rejection(client({ port }, { handshakeTimeoutMs: 100 }));
    expect(isGaterError(err, 'timeout')).toBe(true);
  });

  it('a refused connection is connection_closed', async () => {
    const srv = await server();
    const { port } = srv;
    await srv.close();
    const err = await rejection(client({ port }));
    expect(isGaterError(err, 'connection_closed')).toBe(true);
  });

  it('a peer that is not a store node is connection_closed', async () => {
    const srv = createServer((s) => s.end(encodeFrame({ hi: 'I am a web server' })));
    rawServers.push(srv);
    await new Promise<void>((r) => srv.listen(0, HOST, r));
    const err = await rejection(client({ port: (srv.address() as { port: number }).port }));
    expect(isGaterError(err, 'connection_closed')).toBe(true);
  });
});

describe('rpc requests', () => {
  it('round-trips values through the handler', async () => {
    const conn = await client(await server());
    const value = { text: 'tomato 🍅', list: [1, 2.5, null, true], nested: { a: { b: 'c' } } };
    expect(await conn.request('echo', value, 1000)).toEqual(value);
    expect(handled).toEqual(['echo']);
  });

  it('rebuilds handler errors as GaterErrors with code and details; other throws become internal', async () => {
    const conn = await client(await server());
    const err = await rejection(conn.request('fail', {}, 1000));
    expect(err).toBeInstanceOf(GaterError);
    expect(err.code).toBe('wrong_expected_version');
    expect(err.details).toEqual({ expected: 1, current: 3 });
    expect(err.current).toBe(3);
    const crash = await rejection(conn.request('crash', {}, 1000));
    expect(isGaterError(crash, 'internal')).toBe(true);
    expect(await conn.request('echo', 'still fine', 1000)).toBe('still fine');
  });

  it('matches concurrent replies to their requests', async () => {
    const conn = await client(await server());
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => conn.request('echo', { i }, 5000)));
    expect(results).toEqual(Array.from({ length: 500 }, (_, i) => ({ i })));
  });

  it('times a call out after timeoutMs and drops its late reply', async () => {
    const conn = await client(await server());
    const never = await rejection(conn.request('never', {}, 50));
    expect(isGaterError(never, 'timeout')).toBe(true);
    expect(never.details).toMatchObject({ op: 'never', timeoutMs: 50 });
    const slow = await rejection(conn.request('slow', { ms: 80 }, 20));
    expect(isGaterError(slow, 'timeout')).toBe(true);
    await sleep(120); // the late reply arrives here and is dropped
    expect(await conn.request('echo', 1, 1000)).toBe(1);
    expect(conn.closed).toBe(false);
  });

  it('each call keeps its own timeout whatever else is waiting: a short one behind a long one, and after a reply', async () => {
    const conn = await client(await server());
    const long = rejection(conn.request('never', {}, 10_000));
    const t0 = performance.now();
    const short = await rejection(conn.request('never', {}, 30));
    expect(isGaterError(short, 'timeout')).toBe(true);
    expect(performance.now() - t0).toBeLessThan(5000); // not held until the long call's deadline
    expect(await conn.request('echo', 2, 1000)).toBe(2);
    const again = await rejection(conn.request('slow', { ms: 200 }, 20));
    expect(isGaterError(again, 'timeout')).toBe(true);
    conn.close();
    expect(isGaterError(await long, 'connection_closed')).toBe(true);
  });

  it('fails every pending call with connection_closed when the server closes', async () => {
    const srv = await server();
    const conn = await client(srv);
    const reasons: string[] = [];
    conn.onClose((r) => reasons.push(r));
    const pending = [1, 2, 3].map(() => rejection(conn.request('never', {}, 10_000)));
    await sleep(20);
    await srv.close();
    const errs = await Promise.all(pending);
    expect(errs.every((e) => isGaterError(e, 'connection_closed'))).toBe(true);
    expect(conn.closed).toBe(true);
    expect(reasons).toHaveLength(1);
    expect(isGaterError(await rejection(conn.request('echo', 1, 1000)), 'connection_closed')).toBe(true);
  });

  it('fails pending calls when the session is closed or the client closes, and tells the other side', async () => {
    const srv = await server();
    const a = await client(srv);
    const pendingA = rejection(a.request('never', {}, 10_000));
    await sleep(20);
    srv.sessions()[0]!.close();
    expect(isGaterError(await pendingA, 'connection_closed')).toBe(true);

    const b = await client(srv);
    const session = srv.sessions().find((s) => !s.closed)!;
    const serverSide = new Promise<string>((r) => session.onClose(r));
    const pendingB = rejection(b.request('never', {}, 10_000));
    b.close();
    expect(isGaterError(await pendingB, 'connection_closed')).toBe(true);
    expect(await serverSide).toContain('closed');
    await sleep(10);
    expect(srv.sessions()).toEqual([]);
  });
});

describe('rpc pushes and updates', () => {
  it('delivers pushes in order, before the reply of the request that made them', async () => {
    const conn = await client(await server());
    const seen: number[] = [];
    conn.onPush((sub, events) => {
      expect(sub).toBe('sub-1');
      for (const e of events) seen.push((e as { n: number }).n);
    });
    expect(await conn.request('push', { n: 3000 }, 5000)).toBe('pushed');
    expect(seen).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('broadcasts registry updates to every session', async () => {
    const srv = await server();
    const a = await client(srv);
    const b = await client(srv);
    const got = [a, b].map((c) => new Promise((r) => c.onUpdate(r)));
    srv.broadcastUpdate({ stores: ['greenhouse', 'orders'], workers: [] });
    expect(await Promise.all(got)).toEqual([
      { stores: ['greenhouse', 'orders'], workers: [] },
      { stores: ['greenhouse', 'orders'], workers: [] },
    ]);
  });
});

describe('rpc frame limits', () => {
  it('refuses an oversized request locally, without sending it', async () => {
    const conn = await client(await server(), { maxFrameBytes: 1024 });
    const err = await rejection(conn.request('echo', 'x'.repeat(2000), 1000));
    expect(isGaterError(err, 'payload_too_large')).toBe(true);
    expect(isGaterError(await rejection(conn.request('echo', 10n, 1000)), 'invalid_argument')).toBe(true);
    expect(handled).toEqual([]);
    expect(await conn.request('echo', 'small', 1000)).toBe('small');
  });

  it('an oversized incoming frame closes that connection with payload_too_large; others keep working', async () => {
    const srv = await server({ maxFrameBytes: 1024 });
    const big = await client(srv);
    const other = await client(srv);
    const err = await rejection(big.request('echo', 'x'.repeat(2000), 1000));
    expect(isGaterError(err, 'connection_closed')).toBe(true);
    expect(err.details.reason).toContain('payload_too_large');
    expect(srv.stats().badFrames).toBe(1);
    expect(await other.request('echo', 'ok', 1000)).toBe('ok');
  });

  it('a reply too large for a frame becomes a payload_too_large error for that request', async () => {
    const conn = await client(await server({ maxFrameBytes: 1024 }));
    const err = await rejection(conn.request('big', { n: 5000 }, 1000));
    expect(isGaterError(err, 'payload_too_large')).toBe(true);
    expect(await conn.request('big', { n: 10 }, 1000)).toBe('x'.repeat(10));
  });

  it('a push too large for a frame is dropped and logged; the pushes around it still go out', async () => {
    const srv = await server({ maxFrameBytes: 1024 });
    const conn = await client(srv);
    const pushes: unknown[] = [];
    conn.onPush((_s, events) => pushes.push(events));
    const session = srv.sessions()[0]!;
    session.push('s', ['before']);
    session.push('s', ['y'.repeat(2000)]);
    session.push('s', ['after']);
    await conn.request('echo', null, 1000); // answered after the pushes: they arrived first
    expect(pushes.flat()).toEqual(['before', 'after']);
    expect(logs.some((l) => /error push of 1 event\(s\) for subscription s .*payload_too_large/.test(l))).toBe(true);
  });

  it('a list reply larger than a frame comes in parts, each within the limit, and is joined back whole', async () => {
    const srv = await server({ maxFrameBytes: 1024 });
    const conn = await client(srv, { maxFrameBytes: 1024 });
    const list = await conn.request('list', { n: 40, size: 100 }, 1000); // ~4.3 KB: five frames or so
    expect(list).toEqual(Array.from({ length: 40 }, (_, i) => `${i}:${'l'.repeat(100)}`));
    expect(await conn.request('list', { n: 0 }, 1000)).toEqual([]);
    expect(srv.stats().badFrames).toBe(0);
  });

  it('a list reply with one item larger than a frame is a payload_too_large error; the connection goes on', async () => {
    const conn = await client(await server({ maxFrameBytes: 1024 }));
    const err = await rejection(conn.request('list', { n: 3, size: 2000 }, 1000));
    expect(isGaterError(err, 'payload_too_large')).toBe(true);
    expect(await conn.request('list', { n: 2, size: 1 }, 1000)).toEqual(['0:l', '1:l']);
  });

  it('pushes larger than a frame are split over frames, each within the limit, in order', async () => {
    const srv = await server({ maxFrameBytes: 1024 });
    const conn = await client(srv, { maxFrameBytes: 1024 });
    const pushes: unknown[][] = [];
    conn.onPush((_s, events) => pushes.push(events));
    const session = srv.sessions()[0]!;
    const sent = Array.from({ length: 30 }, (_, i) => ({ i, pad: 'p'.repeat(100) }));
    session.push('s', sent.slice(0, 10));
    session.push('s', sent.slice(10));
    await conn.request('echo', null, 1000);
    expect(pushes.length).toBeGreaterThan(1);
    expect(pushes.flat()).toEqual(sent);
  });

  it('pushes of one turn leave as one frame per subscription, in order', async () => {
    const conn = await client(await server());
    const pushes: [string, unknown[]][] = [];
    conn.onPush((sub, events) => pushes.push([sub, events]));
    expect(await conn.request('push', { n: 5 }, 5000)).toBe('pushed');
    expect(pushes).toEqual([['sub-1', [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]]]);
  });
});
