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
import * as nodeCrypto from 'node:crypto';
import { createHmac, hkdfSync } from 'node:crypto';
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

/** JSON bytes a connection's own scratch buffer takes: a small request or reply. */
const OWN_SCRATCH_BYTES = 512;
/** Frames up to this many JSON bytes are tagged through a scratch buffer; larger ones stream into an Hmac. */
const SCRATCH_MAX_BYTES = 64 * 1024;
const SHA256_BLOCK_BYTES = 64;
/** Bytes in front of the JSON in the HMAC's inner hash: the key's inner pad, the direction and the sequence number. */
const INNER_HEAD_BYTES = SHA256_BLOCK_BYTES + 9;

/** One-shot hashing (Node >= 20.12); older Node 20 releases use createHmac for every frame. */
const oneShotHash = (nodeCrypto as { hash?: typeof nodeCrypto.hash }).hash;

/**
 * HMAC-SHA256 under one session key and one direction, computed from its definition
 * H((K ^ opad) | H((K ^ ipad) | m)) with two one-shot hashes, bit for bit the same tag as `createHmac`. Why: a
 * createHmac object per frame cost more than the rest of a small request's path through the transport (a JS and
 * a native object, a digest Buffer with its own memory, each freed by the GC), and each sealed frame is tagged
 * once by its sender and once by its receiver. The pads are computed once per session, the message is assembled
 * in a buffer reused from frame to frame, and the digests come back as short latin1 strings written straight
 * into place.
 */
class FrameMac {
  /** inner pad | direction | seq | JSON, reused for every frame up to OWN_SCRATCH_BYTES of JSON. */
  private readonly inner: Buffer;
  /** outer pad | inner digest. */
  private readonly outer = Buffer.allocUnsafe(SHA256_BLOCK_BYTES + TAG_BYTES);

  constructor(
    private readonly key: Buffer,
    private readonly direction: Direction,
  ) {
    // An HMAC key longer than a block would be hashed first; a session key is 32 bytes, so it is zero-padded.
    if (key.length > SHA256_BLOCK_BYTES) throw new Error('session key longer than a SHA-256 block');
    this.inner = Buffer.alloc(INNER_HEAD_BYTES + OWN_SCRATCH_BYTES);
    this.outer.fill(0);
    key.copy(this.inner);
    key.copy(this.outer);
    for (let i = 0; i < SHA256_BLOCK_BYTES; i++) {
      this.inner[i]! ^= 0x36;
      this.outer[i]! ^= 0x5c;
    }
    this.inner[SHA256_BLOCK_BYTES] = direction;
  }

  /** Writes the tag of frame `seq` carrying `src[from..to)` (its JSON) into `out` at `at`. */
  tagInto(seq: number, src: Buffer, from: number, to: number, out: Buffer, at: number): void {
    const n = to - from;
    if (oneShotHash === undefined || n > SCRATCH_MAX_BYTES) {
      createHmac('sha256', this.key)
        .update(seqHead(this.direction, seq))
        .update(src.subarray(from, to))
        .digest()
        .copy(out, at);
      return;
    }
    // Larger frames go through one scratch buffer shared by every connection (tagging is synchronous), so an idle
    // connection holds a few hundred bytes, not the largest frame it ever tagged.
    const inner = n <= OWN_SCRATCH_BYTES ? this.inner : sharedScratch(this.inner, n);
    inner.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), SHA256_BLOCK_BYTES + 1);
    inner.writeUInt32BE(seq >>> 0, SHA256_BLOCK_BYTES + 5);
    src.copy(inner, INNER_HEAD_BYTES, from, to);
    const innerDigest = oneShotHash('sha256', inner.subarray(0, INNER_HEAD_BYTES + n), 'binary');
    this.outer.write(innerDigest, SHA256_BLOCK_BYTES, 'latin1');
    out.write(oneShotHash('sha256', this.outer, 'binary'), at, 'latin1');
  }
}

let shared: Buffer | undefined;

/** The shared scratch buffer, at least `INNER_HEAD_BYTES + n` long, starting with `own`'s pad and direction. */
function sharedScratch(own: Buffer, n: number): Buffer {
  if (shared === undefined || shared.length < INNER_HEAD_BYTES + n)
    shared = Buffer.allocUnsafe(
      Math.min(Math.max(INNER_HEAD_BYTES + n, 2 * (shared?.length ?? 0)), INNER_HEAD_BYTES + SCRATCH_MAX_BYTES),
    );
  own.copy(shared, 0, 0, SHA256_BLOCK_BYTES + 1);
  return shared;
}

function seqHead(direction: Direction, seq: number): Buffer {
  const head = Buffer.alloc(9);
  head[0] = direction;
  head.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), 1);
  head.writeUInt32BE(seq >>> 0, 5);
  return head;
}

/** Seals outgoing frames of one direction, counting them. */
export class FrameSealer {
  private seq = 0;
  private readonly mac: FrameMac;

  constructor(key: Buffer, direction: Direction) {
    this.mac = new FrameMac(key, direction);
  }

  /**
   * Writes plain `frame` (length header + JSON, as encodeFrame makes it) sealed into `out` at `at`: the new header
   * (tag + JSON), the tag, the JSON. Returns the offset after it; `out` needs TAG_BYTES more than `frame.length`.
   * Counts one frame. Several frames sealed into one buffer leave in one write without being copied twice.
   */
  sealFrameInto(frame: Buffer, out: Buffer, at: number): number {
    const jsonBytes = frame.length - FRAME_HEADER_BYTES;
    out.writeUInt32BE(TAG_BYTES + jsonBytes, at);
    this.mac.tagInto(this.seq++, frame, FRAME_HEADER_BYTES, frame.length, out, at + FRAME_HEADER_BYTES);
    frame.copy(out, at + FRAME_HEADER_BYTES + TAG_BYTES, FRAME_HEADER_BYTES);
    return at + FRAME_HEADER_BYTES + TAG_BYTES + jsonBytes;
  }

  /**
   * Seals a frame made by `encodeFrameWithRoom(value, max, TAG_BYTES)` where it lies: header rewritten to count the
   * tag, tag written into the room. Counts one frame.
   */
  sealInPlace(frame: Buffer): void {
    const start = FRAME_HEADER_BYTES + TAG_BYTES;
    frame.writeUInt32BE(frame.length - FRAME_HEADER_BYTES, 0);
    this.mac.tagInto(this.seq++, frame, start, frame.length, frame, FRAME_HEADER_BYTES);
  }

  /** A whole sealed frame (header, tag, JSON) in one buffer. Counts one frame. */
  seal(json: Uint8Array): Buffer {
    const plain = Buffer.allocUnsafe(FRAME_HEADER_BYTES + json.length);
    plain.writeUInt32BE(json.length, 0);
    plain.set(json, FRAME_HEADER_BYTES);
    const out = Buffer.allocUnsafe(plain.length + TAG_BYTES);
    this.sealFrameInto(plain, out, 0);
    return out;
  }
}

/** Checks and strips the tag of incoming frames of one direction, counting them. */
export class FrameUnsealer implements FrameOpener {
  readonly overhead = TAG_BYTES;
  private seq = 0;
  private readonly mac: FrameMac;
  private readonly expected = Buffer.allocUnsafe(TAG_BYTES);

  constructor(key: Buffer, direction: Direction) {
    this.mac = new FrameMac(key, direction);
  }

  /** Frames opened so far. */
  get opened(): number {
    return this.seq;
  }

  /**
   * Checks the sealed payload `buf[start..end)` where it lies and returns where its JSON starts (it ends at `end`).
   * @throws GaterError `unauthorized` when the tag does not match: the frame was changed, dropped, reordered,
   *   replayed or injected, or the peer does not know the cookie.
   */
  openAt(buf: Buffer, start: number, end: number): number {
    const json = start + TAG_BYTES;
    if (json > end) throw tampered(this.seq);
    this.mac.tagInto(this.seq, buf, json, end, this.expected, 0);
    // Constant time over the 32 bytes, like timingSafeEqual, without making a view of the tag for it.
    let diff = 0;
    for (let i = 0; i < TAG_BYTES; i++) diff |= this.expected[i]! ^ buf[start + i]!;
    if (diff !== 0) throw tampered(this.seq);
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
