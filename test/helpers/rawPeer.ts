/**
 * A raw TCP peer of a store node: frames in through a FrameDecoder, frames out as bytes, and — after
 * `authenticate` — sealed with the session key exactly as a real client's are, so tests can send what no real
 * client would (malformed, partial or hostile frames) on an authenticated connection.
 */
import { connect, type Socket } from 'node:net';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder } from '../../src/core/wire/frame.js';
import { clientMac, newNonce, parseHello } from '../../src/core/transport/handshake.js';
import { sessionSeal, type FrameSealer } from '../../src/core/transport/sessionSeal.js';

export class RawPeer {
  readonly frames: unknown[] = [];
  readonly closed: Promise<void>;
  private readonly decoder = new FrameDecoder();
  private waiter: (() => void) | undefined;
  private sealer: FrameSealer | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      try {
        this.frames.push(...this.decoder.push(chunk));
      } catch {
        // bytes we cannot parse are not this helper's concern
      }
      this.waiter?.();
    });
    this.closed = new Promise((r) => socket.on('close', () => r()));
  }

  /** Connects to `host:port`, optionally from a given local address (e.g. 127.0.0.2 for a second source). */
  static async open(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawPeer> {
    const socket = connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawPeer(socket);
  }

  /** Resolves with frame number i (0-based) once it has arrived; rejects if the connection closes first. */
  async frame(i: number): Promise<unknown> {
    while (this.frames.length <= i) {
      await Promise.race([new Promise<void>((r) => (this.waiter = r)), this.closed]);
      if (this.frames.length <= i && this.socket.destroyed)
        throw new Error(`closed after ${this.frames.length} frames`);
    }
    return this.frames[i];
  }

  /** Completes the handshake as node `name` with `cookie`; resolves with the welcome frame. */
  async authenticate(cookie: string, name = 'raw'): Promise<unknown> {
    const hello = parseHello(await this.frame(0));
    if (!hello) throw new Error('no hello');
    const cnonce = newNonce();
    this.send({ auth: { node: name, nonce: cnonce, mac: clientMac(cookie, hello.nonce, cnonce) } });
    const seal = sessionSeal(
      { cookie, serverNonce: hello.nonce, clientNonce: cnonce, serverNode: hello.node, clientNode: name },
      'client',
    );
    this.sealer = seal.sealer;
    this.decoder.opener = seal.unsealer;
    return this.frame(1);
  }

  send(value: unknown): void {
    this.socket.write(this.seal(encodeFrame(value)));
  }

  /** A plain frame as this peer would send it now: sealed after the handshake. */
  seal(frame: Buffer): Buffer {
    return this.sealer ? this.sealer.seal(frame.subarray(FRAME_HEADER_BYTES)) : frame;
  }
}
