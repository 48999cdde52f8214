/**
 * The version-6 distribution handshake from the connecting side ("A" in erl_dist_protocol.md): send_name,
 * status, challenge, challenge_reply, challenge_ack. Every handshake message has a 2-byte length prefix.
 * The peer's digest is verified, so a node that does not know the cookie is refused too.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { GaterError } from '../errors.js';
import { DFLAG, MANDATORY_25, OUR_FLAGS } from './flags.js';

export interface HandshakeOptions {
  /** Our full node name (`alive@host`). */
  name: string;
  /** Non-zero; carried by every pid and reference we mint on this connection. */
  creation: number;
  cookie: string;
  /** The peer's full name as we asked EPMD for it; the challenge must carry exactly this name. */
  peer: string;
  flags?: bigint;
  /** Whole-handshake deadline (default 5000 ms). */
  timeoutMs?: number;
}

export interface HandshakeResult {
  peerFlags: bigint;
  /** Flags both sides use: ours AND theirs. */
  flags: bigint;
  peerCreation: number;
  peerName: string;
  /** Bytes that arrived after challenge_ack: already the 4-byte framed stream. */
  rest: Buffer;
}

/** `MD5(cookie ++ decimal(challenge))`, the challenge read as an unsigned 32-bit integer (dist_util gen_digest). */
export function digest(cookie: string, challenge: number): Buffer {
  return createHash('md5')
    .update(cookie + String(challenge >>> 0), 'latin1')
    .digest();
}

function frame(payload: Buffer): Buffer {
  const b = Buffer.alloc(2 + payload.length);
  b.writeUInt16BE(payload.length, 0);
  payload.copy(b, 2);
  return b;
}

/** `'N', Flags:64, Creation:32, Nlen:16, Name`. */
export function sendNameMessage(name: string, flags: bigint, creation: number): Buffer {
  const n = Buffer.from(name, 'utf8');
  const p = Buffer.alloc(1 + 8 + 4 + 2 + n.length);
  p[0] = 78;
  p.writeBigUInt64BE(flags, 1);
  p.writeUInt32BE(creation >>> 0, 9);
  p.writeUInt16BE(n.length, 13);
  n.copy(p, 15);
  return frame(p);
}

/**
 * Runs the handshake on a connected socket. Resolves once the peer proved the cookie; the caller then owns the
 * socket (this function removes its listeners).
 * @throws GaterError `unauthorized` for a wrong cookie (the peer closes after our reply) or a refused name,
 *   `timeout`, `connection_closed` for anything else (wrong node at that port, protocol mismatch).
 */
export function performHandshake(socket: Socket, opts: HandshakeOptions): Promise<HandshakeResult> {
  const flags = opts.flags ?? OUR_FLAGS;
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let step: 'status' | 'challenge' | 'ack' = 'status';
    let ourChallenge = 0;
    let peer: { flags: bigint; creation: number; name: string } | undefined;
    let settled = false;

    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
    };
    const fail = (e: GaterError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new GaterError('timeout', `handshake with ${opts.peer} did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onError = (): void => {}; // 'close' follows and reports
    const onClose = (): void => {
      if (step === 'ack')
        fail(
          new GaterError(
            'unauthorized',
            `${opts.peer} refused our challenge reply: the Erlang cookie differs (set --cookie, --cookie-file, RELEASE_COOKIE or ~/.erlang.cookie to the cluster's cookie)`,
            { node: opts.peer },
          ),
        );
      else
        fail(new GaterError('connection_closed', `${opts.peer} closed the connection during the handshake (${step})`));
    };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (settled || buf.length < 2) return;
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) return;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        handle(msg);
      }
    };
    const handle = (msg: Buffer): void => {
      const tag = msg[0];
      if (step === 'status') {
        if (tag !== 115) return fail(protocol(`expected status, got tag ${tag}`));
        const status = msg.subarray(1).toString('latin1');
        if (status === 'ok' || status === 'ok_simultaneous') {
          step = 'challenge';
          return;
        }
        if (status === 'alive') {
          // A connection under our name exists (a previous run of ours): replace it.
          socket.write(frame(Buffer.from('strue', 'latin1')));
          step = 'challenge';
          return;
        }
        return fail(
          new GaterError('unauthorized', `${opts.peer} refused the connection (status "${status}")`, {
            node: opts.peer,
            status,
          }),
        );
      }
      if (step === 'challenge') {
        if (tag !== 78 || msg.length < 19) return fail(protocol(`expected a version-6 challenge, got tag ${tag}`));
        const peerFlags = msg.readBigUInt64BE(1);
        const challenge = msg.readUInt32BE(9);
        const creation = msg.readUInt32BE(13);
        const nlen = msg.readUInt16BE(17);
        const name = msg.subarray(19, 19 + nlen).toString('utf8');
        if (name !== opts.peer)
          return fail(
            new GaterError(
              'connection_closed',
              `the node at that port is "${name}", not "${opts.peer}"; use the name the node knows itself by`,
              { node: opts.peer, actual: name },
            ),
          );
        if ((peerFlags & MANDATORY_25) !== MANDATORY_25)
          return fail(protocol(`${name} lacks flags OTP 25 requires (0x${peerFlags.toString(16)})`));
        peer = { flags: peerFlags, creation, name };
        ourChallenge = randomBytes(4).readUInt32BE(0);
        const reply = Buffer.alloc(1 + 4 + 16);
        reply[0] = 114;
        reply.writeUInt32BE(ourChallenge, 1);
        digest(opts.cookie, challenge).copy(reply, 5);
        socket.write(frame(reply));
        step = 'ack';
        return;
      }
      if (tag !== 97 || msg.length !== 17) return fail(protocol(`expected challenge_ack, got tag ${tag}`));
      if (!timingSafeEqual(msg.subarray(1), digest(opts.cookie, ourChallenge)))
        return fail(
          new GaterError('unauthorized', `${opts.peer} answered our challenge with a wrong digest (different cookie)`, {
            node: opts.peer,
          }),
        );
      settled = true;
      cleanup();
      const p = peer!;
      resolve({ peerFlags: p.flags, flags: p.flags & flags, peerCreation: p.creation, peerName: p.name, rest: buf });
    };
    const protocol = (m: string): GaterError =>
      new GaterError('connection_closed', `distribution handshake with ${opts.peer} failed: ${m}`, { node: opts.peer });

    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
    socket.write(sendNameMessage(opts.name, flags & ~DFLAG.PUBLISHED, opts.creation));
  });
}
