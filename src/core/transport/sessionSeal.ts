/**
 * Session binding (DESIGN §5, trust model): after the cookie handshake both sides derive a session key from
 * the cookie, both nonces and both node names, and every later frame carries a MAC over
 * (direction, sequence number, bytes). A relay that passed the handshake through unchanged but does not know
 * the cookie can then read frames (TLS hides them) but cannot change, drop, reorder, replay or inject one.
 *
 * A sealed frame on the wire:
 *
 *   length (4 bytes, big-endian; counts tag + JSON)  |  tag (32 bytes)  |  JSON (UTF-8)
 *   tag = HMAC-SHA256(key, direction (1 byte: 'C' client→server, 'S' server→client) | seq (8 bytes BE) | JSON)
 *   key = HKDF-SHA256(ikm = cookie, salt = snonce | cnonce, info = "ex-esdb session v1" | len | server | len | client)
 *
 * The sequence number is not sent: each side counts the frames it sealed and opened, from 0 per direction,
 * so a dropped, repeated or reordered frame fails the very next check.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { GaterError } from '../errors.js';
import { FRAME_HEADER_BYTES, type FrameOpener } from '../wire/frame.js';

/** Bytes of the MAC in front of every sealed frame's JSON. */
export const TAG_BYTES = 32;

const INFO_LABEL = Buffer.from('ex-esdb session v1', 'ascii');

/** Which way a frame travels; part of the MAC so a frame cannot be reflected back to its sender. */
export const DIRECTION = { clientToServer: 0x43, serverToClient: 0x53 } as const;
export type Direction = (typeof DIRECTION)[keyof typeof DIRECTION];

/** What both ends of one handshake agree on. Names are the ones each side sent (hello / auth). */
export interface SessionParams {
  cookie: string;
  serverNonce: string;
  clientNonce: string;
  serverNode: string;
  clientNode: string;
}

function lengthPrefixed(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(Math.min(bytes.length, 0xffff));
  return Buffer.concat([len, bytes]);
}

/** The 32-byte session key of one connection (see the file comment). */
export function deriveSessionKey(p: SessionParams): Buffer {
  const salt = Buffer.concat([Buffer.from(p.serverNonce, 'hex'), Buffer.from(p.clientNonce, 'hex')]);
  const info = Buffer.concat([INFO_LABEL, lengthPrefixed(p.serverNode), lengthPrefixed(p.clientNode)]);
  return Buffer.from(hkdfSync('sha256', Buffer.from(p.cookie, 'utf8'), salt, info, 32));
}

function tag(key: Buffer, direction: Direction, seq: number, json: Uint8Array): Buffer {
  const head = Buffer.alloc(9);
  head[0] = direction;
  head.writeBigUInt64BE(BigInt(seq), 1);
  return createHmac('sha256', key).update(head).update(json).digest();
}

/** Seals outgoing frames of one direction, counting them. */
export class FrameSealer {
  private seq = 0;

  constructor(
    private readonly key: Buffer,
    private readonly direction: Direction,
  ) {}

  /** The bytes that go in front of `json`: the length header (tag + JSON) and the tag. Counts one frame. */
  head(json: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + TAG_BYTES);
    out.writeUInt32BE(TAG_BYTES + json.length, 0);
    tag(this.key, this.direction, this.seq++, json).copy(out, FRAME_HEADER_BYTES);
    return out;
  }

  /** A whole sealed frame (header, tag, JSON) in one buffer. */
  seal(json: Uint8Array): Buffer {
    return Buffer.concat([this.head(json), json]);
  }
}

/** Checks and strips the tag of incoming frames of one direction, counting them. */
export class FrameUnsealer implements FrameOpener {
  readonly overhead = TAG_BYTES;
  private seq = 0;

  constructor(
    private readonly key: Buffer,
    private readonly direction: Direction,
  ) {}

  /** Frames opened so far. */
  get opened(): number {
    return this.seq;
  }

  /**
   * The JSON of a sealed payload.
   * @throws GaterError `unauthorized` when the tag does not match: the frame was changed, dropped, reordered,
   *   replayed or injected, or the peer does not know the cookie.
   */
  open(payload: Buffer): Buffer {
    if (payload.length < TAG_BYTES) throw tampered(this.seq);
    const json = payload.subarray(TAG_BYTES);
    const expected = tag(this.key, this.direction, this.seq, json);
    if (!timingSafeEqual(expected, payload.subarray(0, TAG_BYTES))) throw tampered(this.seq);
    this.seq++;
    return json;
  }
}

function tampered(seq: number): GaterError {
  return new GaterError(
    'unauthorized',
    `frame ${seq} failed authentication: changed, replayed, reordered or injected on the way (or the peer does not know the cookie)`,
    { seq },
  );
}

/** Both halves of one end of a session. */
export interface SessionSeal {
  sealer: FrameSealer;
  unsealer: FrameUnsealer;
}

/** The sealer and unsealer for one end (`'client'` or `'server'`) of a session. */
export function sessionSeal(p: SessionParams, side: 'client' | 'server'): SessionSeal {
  const key = deriveSessionKey(p);
  const out = side === 'client' ? DIRECTION.clientToServer : DIRECTION.serverToClient;
  const inn = side === 'client' ? DIRECTION.serverToClient : DIRECTION.clientToServer;
  return { sealer: new FrameSealer(key, out), unsealer: new FrameUnsealer(key, inn) };
}
