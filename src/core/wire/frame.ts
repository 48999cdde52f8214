/**
 * Length-prefixed JSON framing for the TCP transport (DESIGN §5): each frame is a 4-byte big-endian unsigned
 * length followed by that many bytes of UTF-8 JSON. The length counts the JSON bytes only, not the header.
 *
 * This module knows nothing about sockets: `encodeFrame` turns a value into bytes and `FrameDecoder` turns a
 * byte stream, split anywhere, back into values.
 */
import { GaterError } from '../errors.js';

/** Default largest JSON payload of one frame: 16 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Size of the length prefix. */
export const FRAME_HEADER_BYTES = 4;

/** Largest length a 4-byte header can declare; no frame may exceed it whatever the configured max. */
const HEADER_LIMIT = 0xffff_ffff;

function tooLarge(bytes: number, maxFrameBytes: number): GaterError {
  return new GaterError('payload_too_large', `frame of ${bytes} bytes exceeds the limit of ${maxFrameBytes} bytes`, {
    bytes,
    maxFrameBytes,
  });
}

/**
 * The JSON text of a frame's value.
 * @throws GaterError `invalid_argument` when the value has no JSON form (undefined, a function, a BigInt, a cycle).
 */
export function jsonText(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    throw new GaterError(
      'invalid_argument',
      `value cannot be encoded as JSON: ${(e as Error).message}`,
      {},
      { cause: e },
    );
  }
  if (json === undefined) throw new GaterError('invalid_argument', 'value cannot be encoded as JSON');
  return json;
}

/**
 * Encodes one value as a frame.
 *
 * @param maxFrameBytes largest allowed JSON payload (default {@link DEFAULT_MAX_FRAME_BYTES}); checked here so
 *   a sender can refuse an oversized frame without writing anything.
 * @throws GaterError `payload_too_large` when the JSON exceeds `maxFrameBytes`; `invalid_argument` when the
 *   value has no JSON form (undefined, a function, a BigInt, a cycle).
 */
export function encodeFrame(value: unknown, maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES): Buffer {
  return encodeFrameWithRoom(value, maxFrameBytes, 0);
}

/**
 * {@link encodeFrame} with `room` spare bytes between the length header and the JSON, for a sender that fills
 * them in place (a sealed frame's tag) instead of copying the frame into a bigger buffer. The header holds the
 * JSON's length; the spare bytes are uninitialised.
 *
 * @throws as {@link encodeFrame}.
 */
export function encodeFrameWithRoom(value: unknown, maxFrameBytes: number, room: number): Buffer {
  const json = jsonText(value);
  const limit = Math.min(maxFrameBytes, HEADER_LIMIT - room);
  // A UTF-8 encoding is at least one byte per UTF-16 unit, so a long string is rejected before measuring it.
  if (json.length > limit) throw tooLarge(Buffer.byteLength(json, 'utf8'), maxFrameBytes);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > limit) throw tooLarge(bytes, maxFrameBytes);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + room + bytes);
  frame.writeUInt32BE(bytes, 0);
  frame.write(json, FRAME_HEADER_BYTES + room, 'utf8');
  return frame;
}

/** What {@link FrameDecoder.next} returns when no complete frame is buffered. */
export const NO_FRAME: unique symbol = Symbol('no frame');

/**
 * Checks a received payload `buf[start..end)` where it lies (no Buffer made of it) and returns where the JSON it
 * carries starts (the JSON ends at `end`), or throws (the connection is then closed).
 */
export interface FrameOpener {
  /** Bytes a payload carries beyond its JSON. */
  readonly overhead: number;
  openAt(buf: Buffer, start: number, end: number): number;
}

/**
 * A push decoder: feed it chunks as they arrive, get back the frames they complete.
 *
 * After it throws, the stream is out of step (or hostile) and the decoder stays failed: every later `push`
 * rethrows the same error. Callers close the connection; frames completed earlier in the failing chunk are
 * dropped with it.
 */
export class FrameDecoder<T = unknown> {
  /**
   * Largest accepted JSON payload. Mutable so a server can accept only small frames until a peer has
   * authenticated, then raise the limit; a change applies from the next frame header read.
   */
  maxFrameBytes: number;

  /**
   * Unwraps each payload before it is parsed (sealed frames: checks and strips the MAC). Its `overhead` is
   * allowed on top of `maxFrameBytes`. Set between frames; applies from the next frame read.
   */
  opener: FrameOpener | undefined;

  // Chunks are kept as a list and joined once per frame, so a 16 MiB frame arriving in 64 KiB pieces costs one
  // copy rather than one per piece.
  private chunks: Buffer[] = [];
  /** Bytes of chunks[0] already taken: a chunk holding several frames is read in place, not sliced per frame. */
  private offset = 0;
  private buffered = 0;
  /** Payload length of the frame being read, or -1 while waiting for its header. */
  private pending = -1;
  private failure: GaterError | undefined;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  /**
   * @param maxFrameBytes largest accepted payload (default {@link DEFAULT_MAX_FRAME_BYTES}).
   * @param parsePayload turns one payload into a frame value (default: UTF-8 JSON). The Erlang distribution
   *   client passes raw bytes through (same 4-byte framing; an empty payload is a tick).
   */
  constructor(
    maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
    private readonly parsePayload?: (payload: Buffer) => T,
  ) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes received but not yet part of a returned frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Adds bytes and returns every frame they complete, in order.
   *
   * @throws GaterError `payload_too_large` as soon as a header declares more than `maxFrameBytes` (without
   *   waiting for the body); `invalid_argument` for a payload that is not UTF-8 JSON; whatever `opener` throws.
   */
  push(chunk: Uint8Array): T[] {
    this.feed(chunk);
    const frames: T[] = [];
    for (let f = this.next(); f !== NO_FRAME; f = this.next()) frames.push(f);
    return frames;
  }

  /** Adds bytes without decoding anything yet; {@link next} then returns the frames one at a time. */
  feed(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.buffered += chunk.length;
  }

  /**
   * The next complete frame, or {@link NO_FRAME}. One at a time, so a caller can change `opener` or
   * `maxFrameBytes` between two frames that arrived in the same chunk (the handshake switches to sealed frames).
   *
   * @throws as {@link push}; the decoder then stays failed.
   */
  next(): T | typeof NO_FRAME {
    if (this.failure) throw this.failure;
    try {
      if (this.pending < 0) {
        if (this.buffered < FRAME_HEADER_BYTES) return NO_FRAME;
        const head = this.chunks[0]!;
        let length: number;
        if (head.length - this.offset >= FRAME_HEADER_BYTES) {
          length = head.readUInt32BE(this.offset);
          this.advance(FRAME_HEADER_BYTES);
        } else length = this.take(FRAME_HEADER_BYTES).readUInt32BE(0);
        const overhead = this.opener?.overhead ?? 0;
        if (length > this.maxFrameBytes + overhead) throw tooLarge(length - overhead, this.maxFrameBytes);
        this.pending = length;
      }
      if (this.buffered < this.pending) return NO_FRAME;
      const n = this.pending;
      this.pending = -1;
      // The common case, a frame wholly inside the first chunk, is opened and decoded where it lies.
      const head = this.chunks[0];
      let buf: Buffer;
      let start: number;
      if (n > 0 && head !== undefined && head.length - this.offset >= n) {
        buf = head;
        start = this.offset;
        this.advance(n);
      } else {
        buf = this.take(n);
        start = 0;
      }
      const end = start + n;
      return this.parse(buf, this.opener ? this.opener.openAt(buf, start, end) : start, end);
    } catch (e) {
      this.failure = e as GaterError;
      this.chunks = [];
      this.offset = 0;
      this.buffered = 0;
      throw e;
    }
  }

  /** Whether part of a frame (a header or a body) has arrived and the rest has not. */
  get midFrame(): boolean {
    return this.buffered > 0 || this.pending >= 0;
  }

  private parse(buf: Buffer, start: number, end: number): T {
    if (this.parsePayload) return this.parsePayload(buf.subarray(start, end));
    try {
      // A replacement character in the text is either in the JSON or stands for bytes that are not UTF-8: only
      // then is the payload decoded strictly.
      let text = buf.toString('utf8', start, end);
      if (text.includes('\ufffd')) text = this.utf8.decode(buf.subarray(start, end));
      return JSON.parse(text);
    } catch {
      throw new GaterError('invalid_argument', 'invalid frame: payload is not UTF-8 JSON', { bytes: end - start });
    }
  }

  /** Drops n bytes of the first chunk (the caller checked they are there). */
  private advance(n: number): void {
    this.offset += n;
    this.buffered -= n;
    if (this.offset === this.chunks[0]!.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }

  /** Removes and returns a copy of exactly n buffered bytes, across chunks (the caller checked they are there). */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(n);
    for (let filled = 0; filled < n;) {
      const head = this.chunks[0]!;
      const got = Math.min(head.length - this.offset, n - filled);
      head.copy(out, filled, this.offset, this.offset + got);
      filled += got;
      this.advance(got);
    }
    return out;
  }
}
