/** Hostile and broken peers, spoken to through raw sockets: the server must survive all of them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPeer as BasePeer } from '../../../test/helpers/rawPeer.js';
import { encodeFrame } from '../wire/frame.js';
import { newNonce } from './handshake.js';
import { connectRpc, startRpcServer, type RpcServer } from './index.js';

const COOKIE = 'robust-cookie';
const HOST = '127.0.0.1';

let srv: RpcServer;

beforeAll(async () => {
  srv = await startRpcServer({
    nodeName: 'store-r',
    cookie: COOKIE,
    handshakeTimeoutMs: 2000,
    maxWriteBufferBytes: 1024 * 1024,
    welcome: () => ({ stores: ['s'], workers: [] }),
    handler: async (_session, op, args) => (op === 'echo' ? args : null),
  });
});

afterAll(async () => {
  await srv.close();
});

/** A raw peer of the server under test. */
const RawPeer = {
  open: (): Promise<BasePeer> => BasePeer.open(srv.port, HOST),
};

let seed = 0x5eed;
function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    b[i] = seed >>> 16;
  }
  return b;
}

/** A frame with a correct length header around random bytes. */
function garbageFrame(): Buffer {
  const body = randomBytes(1 + (seed % 200));
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

async function goodClientStillServed(): Promise<void> {
  const conn = await connectRpc({ host: HOST, port: srv.port, nodeName: 'good', cookie: COOKIE });
  expect(await conn.request('echo', { still: 'alive' }, 2000)).toEqual({ still: 'alive' });
  conn.close();
}

describe('rpc server under hostile input', () => {
  it('survives thousands of garbage frames, random bytes and truncated frames before the handshake', async () => {
    const before = srv.stats().badFrames;
    const peers = await Promise.all(Array.from({ length: 60 }, () => RawPeer.open()));
    peers.forEach((p, i) => {
      if (i % 3 === 0) p.socket.write(Buffer.concat(Array.from({ length: 60 }, garbageFrame)));
      else if (i % 3 === 1) p.socket.write(randomBytes(4096));
      else p.socket.end(encodeFrame({ auth: { node: 'x', nonce: newNonce(), mac: 'm' } }).subarray(0, 20));
    });
    await Promise.all(peers.filter((_, i) => i % 3 !== 2).map((p) => p.closed));
    peers.forEach((p) => p.socket.destroy());
    expect(srv.stats().badFrames).toBeGreaterThan(before);
    await goodClientStillServed();
  });

  it('closes a peer announcing an oversized frame with a payload_too_large error frame', async () => {
    const peer = await RawPeer.open();
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1_000_000_000);
    peer.socket.write(header);
    await peer.closed;
    expect(peer.frames[1]).toMatchObject({ error: { code: 'payload_too_large' } });
    await goodClientStillServed();
  });

  it('accepts only small frames before the handshake', async () => {
    const peer = await RawPeer.open();
    peer.send({ auth: { node: 'x', nonce: newNonce(), mac: 'y'.repeat(100_000) } });
    await peer.closed;
    expect(peer.frames[1]).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('refuses a malformed auth as unauthorized', async () => {
    const before = srv.stats().rejectedAuth;
    const peer = await RawPeer.open();
    peer.send({ auth: { node: 'x', nonce: 'not-hex', mac: 'm' } });
    await peer.closed;
    expect(peer.frames[1]).toMatchObject({ error: { code: 'unauthorized' } });
    expect(srv.stats().rejectedAuth).toBe(before + 1);
  });

  it('answers thousands of malformed requests that carry an id, and keeps the session open', async () => {
    const peer = await RawPeer.open();
    await peer.authenticate(COOKIE);
    const shapes = [(id: number) => ({ id }), (id: number) => ({ id, op: 5 }), (id: number) => ({ id, op: '' })];
    const n = 3000;
    peer.socket.write(Buffer.concat(Array.from({ length: n }, (_, i) => peer.seal(encodeFrame(shapes[i % 3]!(i))))));
    peer.send({ id: 'last', op: 'echo', args: 'ok' });
    expect(await peer.frame(n + 2)).toEqual({ id: 'last', ok: true, value: 'ok' });
    const replies = peer.frames.slice(2, n + 2) as Array<{ id: number; error: { code: string } }>;
    expect(replies.every((r, i) => r.id === i && r.error.code === 'invalid_argument')).toBe(true);
    peer.socket.destroy();
  });

  it('closes an authenticated peer that sends a frame without an id, or bad JSON', async () => {
    const noId = await RawPeer.open();
    await noId.authenticate(COOKIE);
    noId.send({ op: 'echo', args: 1 });
    await noId.closed;
    expect(noId.frames[2]).toMatchObject({ error: { code: 'invalid_argument' } });

    const badJson = await RawPeer.open();
    await badJson.authenticate(COOKIE);
    const payload = Buffer.from('{"id": 1, "op": "echo", "args": ');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(payload.length);
    badJson.socket.write(badJson.seal(Buffer.concat([header, payload])));
    await badJson.closed;
    expect(badJson.frames[2]).toMatchObject({ error: { code: 'invalid_argument' } });

    const truncated = await RawPeer.open();
    await truncated.authenticate(COOKIE);
    truncated.socket.end(truncated.seal(encodeFrame({ id: 1, op: 'echo', args: 'x'.repeat(100) })).subarray(0, 50));
    await truncated.closed;
    await goodClientStillServed();
  });

  it('closes a session whose peer stops reading once its write buffer passes the cap', async () => {
    const peer = await RawPeer.open();
    await peer.authenticate(COOKIE);
    const session = srv.sessions().find((s) => s.remoteNode === 'raw' && !s.closed)!;
    const reason = new Promise<string>((r) => session.onClose(r));
    peer.socket.pause();
    const batch = ['z'.repeat(100_000)];
    for (let i = 0; i < 400 && !session.closed; i++) session.push('flood', batch);
    expect(await reason).toContain('not reading');
    peer.socket.destroy();
    await goodClientStillServed();
  });

  it('survives peers that connect and vanish at once, mid-handshake', async () => {
    const peers = await Promise.all(Array.from({ length: 50 }, () => RawPeer.open()));
    peers.forEach((p) => p.socket.destroy());
    await Promise.all(peers.map((p) => p.closed));
    await goodClientStillServed();
  });
});
