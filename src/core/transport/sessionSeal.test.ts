import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isGaterError } from '../errors.js';
import { encodeFrame, encodeFrameWithRoom, FRAME_HEADER_BYTES, FrameDecoder } from '../wire/frame.js';
import {
  deriveSessionKey,
  DIRECTION,
  sessionSeal,
  TAG_BYTES,
  type FrameUnsealer,
  type SessionParams,
} from './sessionSeal.js';

const P: SessionParams = {
  cookie: 'c00kie',
  serverNonce: '00112233445566778899aabbccddeeff',
  clientNonce: 'ffeeddccbbaa99887766554433221100',
  serverNode: 'store@h',
  clientNode: 'gw@h',
};
const json = (v: unknown): Buffer => encodeFrame(v).subarray(FRAME_HEADER_BYTES);
/** The JSON of a whole sealed payload, as the decoder gets it from openAt. */
const open = (u: FrameUnsealer, payload: Buffer): Buffer => payload.subarray(u.openAt(payload, 0, payload.length));

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('session seal', () => {
  it('the key depends on the cookie, both nonces and both names', () => {
    const k = deriveSessionKey(P);
    expect(k).toHaveLength(32);
    expect(deriveSessionKey({ ...P })).toEqual(k);
    for (const change of [
      { cookie: 'c00kie2' },
      { serverNonce: P.clientNonce },
      { clientNonce: P.serverNonce },
      { serverNode: 'other@h' },
      { clientNode: 'gw2@h' },
      // names are length-prefixed: moving a character from one to the other is a different key
      { serverNode: 'store@hg', clientNode: 'w@h' },
    ])
      expect(deriveSessionKey({ ...P, ...change })).not.toEqual(k);
  });

  it('frames sealed by one end open at the other, in order, through the frame decoder split anywhere', () => {
    const client = sessionSeal(P, 'client');
    const stream = Buffer.concat([1, 2, 3].map((n) => client.sealer.seal(json({ n }))));
    for (let cut = 0; cut <= stream.length; cut += 7) {
      const fresh = sessionSeal(P, 'server');
      const decoder = new FrameDecoder();
      decoder.opener = fresh.unsealer;
      const out = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      expect(out).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    }
  });

  it('refuses a changed byte, a replay, a reordering, a reflection and a wrong cookie as unauthorized', () => {
    const frames = (c = sessionSeal(P, 'client')) =>
      [0, 1].map((n) => c.sealer.seal(json({ amount: n })).subarray(FRAME_HEADER_BYTES));
    const openAll = (payloads: Buffer[], p: SessionParams = P) => {
      const s = sessionSeal(p, 'server');
      return () => payloads.forEach((x) => open(s.unsealer, x));
    };
    const [a, b] = frames() as [Buffer, Buffer];
    expect(openAll([a, b])).not.toThrow();
    const flipped = Buffer.from(a);
    flipped[flipped.length - 2]! ^= 1;
    expect(isGaterError(caught(openAll([flipped])), 'unauthorized')).toBe(true);
    expect(isGaterError(caught(openAll([a, a])), 'unauthorized')).toBe(true);
    expect(isGaterError(caught(openAll([b, a])), 'unauthorized')).toBe(true);
    expect(isGaterError(caught(openAll([a], { ...P, cookie: 'guess' })), 'unauthorized')).toBe(true);
    // A frame the server sent, reflected back to it, is refused: the direction is part of the MAC.
    const fromServer = sessionSeal(P, 'server')
      .sealer.seal(json({ amount: 0 }))
      .subarray(FRAME_HEADER_BYTES);
    expect(isGaterError(caught(openAll([fromServer])), 'unauthorized')).toBe(true);
    expect(isGaterError(caught(openAll([Buffer.alloc(TAG_BYTES - 1)])), 'unauthorized')).toBe(true);
  });

  it('the tag on the wire is HMAC-SHA256(key, direction | seq (8 bytes BE) | JSON), for small and large frames', () => {
    const key = deriveSessionKey(P);
    const expected = (seq: number, body: Buffer): Buffer => {
      const head = Buffer.alloc(9);
      head[0] = DIRECTION.clientToServer;
      head.writeBigUInt64BE(BigInt(seq), 1);
      return createHmac('sha256', key).update(head).update(body).digest();
    };
    const client = sessionSeal(P, 'client');
    const server = sessionSeal(P, 'server');
    // sizes around the block size and far beyond the reused scratch buffer
    const bodies = [0, 1, 55, 64, 200, 5000, 40_000].map((n) => json({ s: 'é'.repeat(n) }));
    bodies.forEach((body, seq) => {
      const frame = client.sealer.seal(body);
      expect(frame.readUInt32BE(0)).toBe(TAG_BYTES + body.length);
      expect(frame.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + TAG_BYTES)).toEqual(expected(seq, body));
      expect(frame.subarray(FRAME_HEADER_BYTES + TAG_BYTES).equals(body)).toBe(true);
      expect(open(server.unsealer, frame.subarray(FRAME_HEADER_BYTES)).equals(body)).toBe(true);
    });
  });

  it('sealing several plain frames into one buffer gives the same bytes as sealing them one by one', () => {
    const frames = [{ a: 1 }, { b: 'x'.repeat(70_000) }, { c: [1, 2, 3] }].map((v) => encodeFrame(v));
    const one = sessionSeal(P, 'client').sealer;
    const each = Buffer.concat(frames.map((f) => one.seal(f.subarray(FRAME_HEADER_BYTES))));
    const many = sessionSeal(P, 'client').sealer;
    const out = Buffer.alloc(each.length);
    let at = 0;
    for (const f of frames) at = many.sealFrameInto(f, out, at);
    expect(at).toBe(each.length);
    expect(out.equals(each)).toBe(true);
  });

  it('a frame sealed where it was encoded (with room for the tag) is the same bytes as one sealed by copying', () => {
    const copied = sessionSeal(P, 'client').sealer;
    const inPlace = sessionSeal(P, 'client').sealer;
    for (const v of [{ a: 1 }, { s: 'é'.repeat(40_000) }, { id: 7, op: 'append', args: {} }]) {
      const frame = encodeFrameWithRoom(v, 1 << 24, TAG_BYTES);
      inPlace.sealInPlace(frame);
      expect(frame.equals(copied.seal(json(v)))).toBe(true);
    }
  });

  it('frames of different sessions tagged in turn through the shared scratch buffer keep their own keys', () => {
    const other: SessionParams = { ...P, cookie: 'another' };
    const mine = sessionSeal(P, 'client').sealer;
    const theirs = sessionSeal(other, 'server').sealer;
    const openMine = sessionSeal(P, 'server').unsealer;
    const openTheirs = sessionSeal(other, 'client').unsealer;
    for (let i = 0; i < 3; i++) {
      const a = mine.seal(json({ a: 'a'.repeat(3000 + i) }));
      const b = theirs.seal(json({ b: 'b'.repeat(5000 + i) }));
      expect(() => open(openMine, a.subarray(FRAME_HEADER_BYTES))).not.toThrow();
      expect(() => open(openTheirs, b.subarray(FRAME_HEADER_BYTES))).not.toThrow();
    }
  });
});
