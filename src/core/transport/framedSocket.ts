/**
 * A TCP socket speaking length-prefixed JSON frames: bytes in through a {@link FrameDecoder}, values out
 * through {@link encodeFrame}. Shared by the RPC client and server so both close connections the same way.
 */
import type { Socket } from 'node:net';
import { GaterError, toGaterError } from '../errors.js';
import {
  encodeFrame,
  encodeFrameWithRoom,
  FRAME_HEADER_BYTES,
  FrameDecoder,
  NO_FRAME,
  type FrameOpener,
} from '../wire/frame.js';
import { TAG_BYTES, type FrameSealer } from './sessionSeal.js';
import type { LogFn } from '../log.js';

/** Where the transport reports what happens to connections (the one log type). Messages never contain the cookie. */
export type Logger = LogFn;
export type { LogLevel } from '../log.js';

/** Default cap on bytes queued for a peer that is not reading: 64 MiB. */
export const DEFAULT_MAX_WRITE_BUFFER_BYTES = 64 * 1024 * 1024;

/** Idle TCP keepalive probe delay, so a vanished peer (cable pulled, VM paused) is noticed eventually. */
export const KEEPALIVE_DELAY_MS = 15_000;

/** After a farewell frame, how long the peer gets to close before the socket is destroyed anyway. */
const END_GRACE_MS = 1000;

export interface FramedSocketOptions {
  maxFrameBytes: number;
  maxWriteBufferBytes: number;
  /** Called for each decoded frame, in order; not called once the connection is closing. */
  onFrame(frame: unknown): void;
  /** Called once, with a human-readable reason, when the connection closes for whatever cause. */
  onClose(reason: string): void;
  /** Called when the byte stream cannot be decoded (or a frame misses its deadline), just before closing. */
  onBadInput?(err: GaterError): void;
  /**
   * Once part of a frame has arrived, the rest must arrive within this many ms (counted from the last complete
   * frame), or the connection is closed with `timeout`: a peer cannot hold a connection with a half-sent frame
   * (slowloris). Default: no deadline.
   */
  frameTimeoutMs?: number;
}

export class FramedSocket {
  readonly decoder: FrameDecoder;
  private closing = false;
  private finished = false;
  private lastError: (Error & { code?: string }) | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  /** Set once the handshake is done: every frame sent from then on carries a session MAC. */
  private sealer: FrameSealer | undefined;
  private frameTimer: NodeJS.Timeout | undefined;
  /** Plain frames about to be written (sealed when written), and their size. */
  private out: Buffer[] = [];
  /** Frames produced by beforeFlush hooks during a flush: written ahead of `out`. */
  private early: Buffer[] = [];
  private outBytes = 0;
  private flushScheduled = false;
  private flushing = false;
  /** Producers that add their frames just before the next flush (coalesced pushes). */
  private beforeFlushHooks: (() => void)[] = [];

  constructor(
    readonly socket: Socket,
    private readonly opts: FramedSocketOptions,
  ) {
    this.decoder = new FrameDecoder(opts.maxFrameBytes);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Without an 'error' listener a reset would be an uncaught exception; the 'close' that follows reports it.
    socket.on('error', (err) => {
      this.lastError ??= err;
    });
    socket.on('close', () => {
      if (this.graceTimer) clearTimeout(this.graceTimer);
      clearTimeout(this.frameTimer);
      this.finish(this.peerReason());
    });
  }

  /** Largest JSON payload this socket sends (what it accepts is `decoder.maxFrameBytes`). */
  get maxFrameBytes(): number {
    return this.opts.maxFrameBytes;
  }

  /** Whether close() was called or the socket closed. */
  get closed(): boolean {
    return this.closing;
  }

  /** `address:port` of the peer, for logs. */
  get remote(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  /**
   * Sends one frame. Returns false (sending nothing) if the connection is closing.
   *
   * @throws GaterError `payload_too_large` / `invalid_argument` from {@link encodeFrame}; nothing is written.
   */
  send(value: unknown): boolean {
    if (this.closing) return false;
    const sealer = this.sealer;
    // Nothing queued or gathered: the frame leaves now, so it is sealed where it was encoded (one buffer, no copy).
    if (
      sealer !== undefined &&
      !this.flushing &&
      this.out.length === 0 &&
      this.early.length === 0 &&
      this.beforeFlushHooks.length === 0
    ) {
      const frame = encodeFrameWithRoom(value, this.opts.maxFrameBytes, TAG_BYTES);
      sealer.sealInPlace(frame);
      if (!this.socket.destroyed) this.socket.write(frame);
      this.checkWriteBuffer();
      return true;
    }
    return this.sendFrame(encodeFrame(value, this.opts.maxFrameBytes));
  }

  /**
   * Switches to sealed frames (DESIGN §5): from now on every frame sent carries a MAC from `sealer`, and every
   * frame received is checked and unwrapped by `opener` (from the next frame, even one already buffered).
   */
  startSession(sealer: FrameSealer, opener: FrameOpener): void {
    this.flush(); // what was queued before the handshake ended leaves unsealed
    this.sealer = sealer;
    this.decoder.opener = opener;
  }

  /** Whether frames are sealed (the handshake completed on this socket). */
  get sealed(): boolean {
    return this.sealer !== undefined;
  }

  /**
   * Sends an already encoded (plain) frame now, together with (and after) any pushes gathered for it (see
   * {@link beforeFlush}); returns false if the connection is closing. A broadcast encodes its frame once and is
   * sealed per connection here.
   */
  sendFrame(frame: Buffer): boolean {
    if (this.closing) return false;
    if (this.flushing) this.early.push(frame);
    else this.out.push(frame);
    this.outBytes += frame.length;
    if (!this.flushing) this.flush();
    this.checkWriteBuffer();
    return true;
  }

  /** A peer that never reads would otherwise make us buffer pushes without bound. */
  private checkWriteBuffer(): void {
    if (this.queuedBytes > this.opts.maxWriteBufferBytes) {
      this.close(`peer is not reading: more than ${this.opts.maxWriteBufferBytes} bytes queued`);
    }
  }

  /** Bytes handed to send but not yet taken by the peer (what flow control looks at). */
  get queuedBytes(): number {
    return this.socket.writableLength + this.outBytes;
  }

  /**
   * Writes what is queued as one write. Frames from {@link beforeFlush} producers (the pushes gathered so far) go
   * first, so a push caused by a request always arrives before that request's reply, in the same segment.
   * Sealing happens here, in the order the frames are written.
   *
   * Replies are not held back to be batched: measured on loopback with several callers in flight, holding them
   * to the end of the turn made caller and node take turns instead of working side by side (higher latency,
   * no CPU saved), while pushes on their own do gain from gathering (one frame per subscription per turn).
   */
  flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (const hook of this.beforeFlushHooks.splice(0)) hook();
    } finally {
      this.flushing = false;
    }
    const frames = this.early.length === 0 ? this.out : this.early.concat(this.out);
    this.early = [];
    this.out = [];
    this.outBytes = 0;
    if (frames.length === 0 || this.socket.destroyed) return;
    const sealer = this.sealer;
    if (!sealer) {
      this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
      return;
    }
    // Sealed straight into the one buffer that is written: each JSON is copied once.
    let bytes = 0;
    for (const f of frames) bytes += f.length + TAG_BYTES;
    const out = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (const f of frames) at = sealer.sealFrameInto(f, out, at);
    this.socket.write(out);
  }

  /**
   * Runs `hook` once just before the next flush (at the end of this event loop turn at the latest), so a
   * producer can gather what it has for this turn into one frame and still leave in the same write.
   */
  beforeFlush(hook: () => void): void {
    if (this.closing) return;
    this.beforeFlushHooks.push(hook);
    this.scheduleFlush();
  }

  /**
   * Runs cb once when the bytes queued so far have been taken by the kernel (the socket's 'drain'), or when the
   * connection closes first (a waiter checks `closed`), so nothing waits for ever on a dead connection.
   */
  onDrain(cb: () => void): void {
    if (this.closing || (this.socket.writableLength === 0 && this.outBytes === 0)) {
      setImmediate(cb);
      return;
    }
    const done = (): void => {
      this.socket.off('drain', done);
      this.socket.off('close', done);
      cb();
    };
    this.socket.on('drain', done);
    this.socket.on('close', done);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.scheduledFlush);
  }

  private readonly scheduledFlush = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  /**
   * Closes the connection now; `onClose` runs before this returns. With a farewell frame (an error the peer
   * should see), the frame is flushed and the socket half-closed, then destroyed after a short grace period.
   */
  close(reason: string, farewell?: unknown): void {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.frameTimer);
    let sent = false;
    if (farewell !== undefined && !this.socket.destroyed) {
      this.flush(); // frames queued before the farewell go out before it
      try {
        const frame = encodeFrame(farewell);
        this.socket.end(this.sealer ? this.sealer.seal(frame.subarray(FRAME_HEADER_BYTES)) : frame);
        sent = true;
      } catch {
        // An unencodable farewell is not worth keeping the socket for.
      }
    }
    if (sent) {
      this.graceTimer = setTimeout(() => this.socket.destroy(), END_GRACE_MS);
      this.graceTimer.unref();
    } else {
      this.socket.destroy();
    }
    this.finish(reason);
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    // One frame at a time: handling a frame may switch the decoder to sealed frames for the next one.
    for (let frame = this.decode(chunk); frame !== NO_FRAME; frame = this.decode()) {
      clearTimeout(this.frameTimer);
      this.frameTimer = undefined;
      this.opts.onFrame(frame);
      if (this.closing) return;
    }
    this.armFrameDeadline();
  }

  /** Starts the deadline of a frame that has begun to arrive, unless one is running already. */
  private armFrameDeadline(): void {
    const ms = this.opts.frameTimeoutMs;
    if (ms === undefined || this.closing || this.frameTimer || !this.decoder.midFrame) return;
    this.frameTimer = setTimeout(() => {
      const err = new GaterError('timeout', `frame not completed within ${ms} ms`, { frameTimeoutMs: ms });
      this.opts.onBadInput?.(err);
      this.close(`${err.code}: ${err.message}`, { error: err.toWire() });
    }, ms);
    this.frameTimer.unref();
  }

  /** The next frame (after feeding `chunk`, if given), or NO_FRAME; bad input closes the connection. */
  private decode(chunk?: Buffer): unknown {
    try {
      if (chunk) this.decoder.feed(chunk);
      return this.decoder.next();
    } catch (e) {
      const err = toGaterError(e);
      this.opts.onBadInput?.(err);
      this.close(`${err.code}: ${err.message}`, { error: err.toWire() });
      return NO_FRAME;
    }
  }

  private peerReason(): string {
    const e = this.lastError;
    if (!e) return 'connection closed by peer';
    return `connection error: ${e.code ?? e.message}`;
  }

  private finish(reason: string): void {
    this.closing = true;
    if (this.finished) return;
    this.finished = true;
    this.opts.onClose(reason);
  }
}
