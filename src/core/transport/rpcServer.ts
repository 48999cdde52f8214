/**
 * The store node's side of the TCP transport (DESIGN §5): accepts connections, runs the handshake, then
 * answers `{id, op, args}` requests through a handler and pushes subscription batches and registry updates.
 *
 * Whatever a peer sends, the server never throws: undecodable input closes that one connection and is counted.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { randomUUID } from 'node:crypto';
import { GaterError, invalidArgument, toGaterError, type WireError } from '../errors.js';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame } from '../wire/frame.js';
import { arrayBudget, arrayFrames, encodeList } from '../wire/frameSplit.js';
import { DEFAULT_MAX_WRITE_BUFFER_BYTES, FramedSocket, type Logger } from './framedSocket.js';
import { clientMac, DEFAULT_HANDSHAKE_TIMEOUT_MS, newNonce, parseAuth, serverMac, verifyMac } from './handshake.js';
import {
  asRecord,
  isRequestId,
  MIN_FRAME_BYTES,
  COUNTERS_OP,
  type RegistryUpdate,
  type RequestId,
} from './protocol.js';
import { RpcSessionImpl, type RpcSession } from './rpcSession.js';
import { FailureLimiter, type FailureLimiterOptions } from './failureLimiter.js';
import { RefusalLog } from './refusalLog.js';
import { sessionSeal } from './sessionSeal.js';
import { tlsContext, type TlsOptions } from './tls.js';

/**
 * Largest frame accepted before a peer has authenticated: a handshake frame is a few hundred bytes, and an
 * anonymous peer should not make the server buffer up to `maxFrameBytes`.
 */
export const HANDSHAKE_MAX_FRAME_BYTES = 64 * 1024;

/**
 * With TLS, how long a new connection may stay silent before it is taken for a plaintext client: a TLS client sends
 * its ClientHello at once, while ours waits for `hello`, so silence means a peer without TLS, which is then told so
 * in a plain frame it can read.
 */
export const DEFAULT_PLAINTEXT_PROBE_MS = 1500;

/** Default time a started frame has to complete after the handshake: 30 s, ample for 16 MiB on a slow link. */
export const DEFAULT_FRAME_TIMEOUT_MS = 30_000;

export interface RpcServerOptions {
  /** Interface to listen on (default `'127.0.0.1'`). */
  host?: string;
  /** Port to listen on; 0 (the default) lets the OS pick one, read it back from `RpcServer.port`. */
  port?: number;
  /** This node's name, sent in `hello` and `welcome`. */
  nodeName: string;
  /** Shared secret both sides prove they know. Never logged, never sent. */
  cookie: string;
  /** Largest JSON payload of one frame, both ways (default 16 MiB). A larger incoming frame closes the connection. */
  maxFrameBytes?: number;
  /** Time a peer has from connecting to a valid `auth` (default 5000 ms); then it is closed. */
  handshakeTimeoutMs?: number;
  /** Cap on bytes queued for a peer that does not read (default 64 MiB); beyond it the connection is closed. */
  maxWriteBufferBytes?: number;
  /** What a newly authenticated peer is told about this node; called once per handshake. */
  welcome(): RegistryUpdate;
  /**
   * Answers one request. A thrown GaterError reaches the caller as itself (code, message, details); anything
   * else thrown becomes `internal`. Requests of one session may run concurrently.
   */
  handler(session: RpcSession, op: string, args: unknown): Promise<unknown>;
  /** Where connection events go (default: nowhere). */
  log?: Logger;
  /** Connections still in their handshake, at most, in total (default 256); more are closed at once. */
  maxPendingHandshakes?: number;
  /** Connections still in their handshake, at most, per source address (default 16). */
  maxPendingPerSource?: number;
  /** After the handshake, a frame that has started must complete within this many ms (default 30000). */
  frameTimeoutMs?: number;
  /** Failed handshakes allowed per source address (default: a burst of 10, then one every 2 s). */
  authFailures?: FailureLimiterOptions;
  /** Shortest time between two "refused N connections" summary lines, ms (default 10000). */
  refusalLogIntervalMs?: number;
  /** More counters for the `$counters` answer (e.g. the node's gossip drops), next to the transport's own. */
  counters?: () => Record<string, number>;
  /** Mutual TLS under the handshake: clients must present a certificate signed by `ca`. Default: plain TCP. */
  tls?: TlsOptions;
  /** With TLS, silence before a connection is refused as plaintext (default 1500 ms). */
  plaintextProbeMs?: number;
}

export interface RpcServerStats {
  /** Handshakes completed. */
  accepted: number;
  /** Handshakes refused: wrong cookie or a malformed auth. */
  rejectedAuth: number;
  /** Connections closed for not completing the handshake in time. */
  handshakeTimeouts: number;
  /** Frames that could not be decoded or were not a request; each one closes its connection unless it had an id. */
  badFrames: number;
  /** Connections turned away before hello: their address had too many failed handshakes. */
  rateLimited: number;
  /** Connections closed at once: too many others were still in their handshake (in total or from that address). */
  overCapacity: number;
  /** Authenticated connections closed because a started frame did not complete in time. */
  frameTimeouts: number;
  /** Frames after the handshake that failed the session MAC (changed, replayed, reordered or injected). */
  tamperedFrames: number;
  /** TLS connections refused: no client certificate, one not signed by the CA, or a failed TLS handshake. */
  tlsRefused: number;
  /** Connections to a TLS server refused for speaking plaintext. */
  plaintextRefused: number;
}

export interface RpcServer {
  readonly port: number;
  readonly host: string;
  /** Authenticated sessions that are still open. */
  sessions(): RpcSession[];
  /**
   * Sends `{update}` to every open session (encoded once).
   *
   * @throws GaterError `payload_too_large` if the update does not fit in one frame; nothing is sent.
   */
  broadcastUpdate(update: RegistryUpdate): void;
  stats(): RpcServerStats;
  /** Stops listening and closes every connection; resolves when the listener is gone. Idempotent. */
  close(): Promise<void>;
}

const noop: Logger = () => {};

const pem = (t: TlsOptions): TlsOptions => ({ cert: t.cert, key: t.key, ca: t.ca });

/** Starts listening; resolves once the port is bound. Rejects with GaterError `internal` (details.errno) if it cannot bind. */
export async function startRpcServer(opts: RpcServerOptions): Promise<RpcServer> {
  if (typeof opts.cookie !== 'string' || opts.cookie.length === 0)
    throw invalidArgument('cookie must be a non-empty string');
  if (typeof opts.nodeName !== 'string' || opts.nodeName.length === 0)
    throw invalidArgument('nodeName must be a non-empty string');
  if (
    opts.maxFrameBytes !== undefined &&
    !(Number.isInteger(opts.maxFrameBytes) && opts.maxFrameBytes >= MIN_FRAME_BYTES)
  ) {
    throw invalidArgument(`maxFrameBytes must be an integer >= ${MIN_FRAME_BYTES}`);
  }
  const host = opts.host ?? '127.0.0.1';
  const maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const maxWriteBufferBytes = opts.maxWriteBufferBytes ?? DEFAULT_MAX_WRITE_BUFFER_BYTES;
  const log = opts.log ?? noop;
  const { cookie, nodeName } = opts;

  const frameTimeoutMs = opts.frameTimeoutMs ?? DEFAULT_FRAME_TIMEOUT_MS;
  const maxPending = opts.maxPendingHandshakes ?? 256;
  const maxPendingPerSource = opts.maxPendingPerSource ?? 16;
  const stats: RpcServerStats = {
    accepted: 0,
    rejectedAuth: 0,
    handshakeTimeouts: 0,
    badFrames: 0,
    rateLimited: 0,
    overCapacity: 0,
    frameTimeouts: 0,
    tamperedFrames: 0,
    tlsRefused: 0,
    plaintextRefused: 0,
  };
  // Built first, so a wrong certificate or key fails the start instead of every connection.
  const secureContext = opts.tls ? tlsContext(opts.tls) : undefined;
  const plaintextProbeMs = opts.plaintextProbeMs ?? DEFAULT_PLAINTEXT_PROBE_MS;
  const limiter = new FailureLimiter(opts.authFailures);
  const refusals = new RefusalLog(log, opts.refusalLogIntervalMs);
  /** Connections in their handshake, per source address (an address leaves the map at zero). */
  const pending = new Map<string, number>();
  let pendingTotal = 0;
  const connections = new Set<FramedSocket>();
  // Sockets outlive their FramedSocket while a farewell frame drains; close() must not wait for those.
  const sockets = new Set<Socket>();
  const sessions = new Set<RpcSessionImpl>();
  let closing: Promise<void> | undefined;

  const server: Server = createServer((socket) => accept(socket));

  /**
   * With TLS, accepted sockets are handed to a tls.Server that never listens itself: it wraps each one and checks
   * the client certificate against the CA (OpenSSL's verification, as `tls.createServer` does it), while the caps,
   * the rate limit and the handshake deadline above stay on the plain socket. A verified socket comes back in
   * `secureConnection`, found again by its remote address and port. `rejectUnauthorized` is off so that the
   * verdict (`authorized`) comes back here, where a refused client is counted and told why.
   */
  const tlsWaiting = new Map<string, (s: TLSSocket) => void>();
  // tls.Server builds its own context from cert/key/ca (it does not take a `secureContext`).
  const tlsServer: TlsServer | undefined =
    secureContext && opts.tls
      ? createTlsServer({ ...pem(opts.tls), minVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: false })
      : undefined;
  const socketKey = (s: Socket): string => `${s.remoteAddress ?? '?'}|${s.remotePort ?? '?'}`;
  tlsServer?.on('secureConnection', (s: TLSSocket) => {
    const key = socketKey(s);
    const cont = tlsWaiting.get(key);
    tlsWaiting.delete(key);
    if (cont) cont(s);
    else s.destroy();
  });
  tlsServer?.on('tlsClientError', (err: Error & { code?: string }, s: TLSSocket) => {
    const address = s.remoteAddress ?? '?';
    tlsWaiting.delete(socketKey(s));
    stats.tlsRefused++;
    // A failed TLS handshake (the client refused our certificate, or spoke something else) counts like a wrong cookie.
    limiter.fail(address);
    refusals.note('badTls', address);
    log('debug', `TLS handshake from ${address} refused: ${err.code ?? err.message}`);
    s.destroy();
  });

  function accept(socket: Socket): void {
    if (closing) {
      socket.destroy();
      return;
    }
    const address = socket.remoteAddress ?? '?';
    if (pendingTotal >= maxPending || (pending.get(address) ?? 0) >= maxPendingPerSource) {
      stats.overCapacity++;
      refusals.note('overCapacity', address);
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const blockedMs = limiter.blockedFor(address);
    if (blockedMs > 0) {
      // Before hello, so a guesser learns nothing from the turn-away but when to come back.
      stats.rateLimited++;
      refusals.note('rateLimited', address);
      refuseNow(socket, {
        code: 'unauthorized',
        message: `too many failed handshakes from ${address}: retry in ${Math.ceil(blockedMs / 1000)} s`,
      });
      return;
    }
    let inHandshake = true;
    pending.set(address, (pending.get(address) ?? 0) + 1);
    pendingTotal++;
    const handshakeDone = (): void => {
      if (!inHandshake) return;
      inHandshake = false;
      pendingTotal--;
      const n = (pending.get(address) ?? 1) - 1;
      if (n <= 0) pending.delete(address);
      else pending.set(address, n);
    };
    // One deadline for the whole handshake, TLS included.
    let conn: FramedSocket | undefined;
    const timer = setTimeout(() => {
      stats.handshakeTimeouts++;
      refusals.note('handshakeTimeout', address);
      if (!conn) return socket.destroy();
      conn.close('handshake timed out', {
        error: new GaterError('timeout', `handshake not completed within ${handshakeTimeoutMs} ms`).toWire(),
      });
    }, handshakeTimeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      handshakeDone();
    });
    if (!tlsServer) return speak(socket);
    // Until a FramedSocket (which reports errors through close) takes it, a reset must not become an exception.
    socket.on('error', () => {});
    const key = socketKey(socket);
    const onFirstBytes = (): void => {
      clearTimeout(probe);
      socket.off('readable', onFirstBytes);
      // The bytes read so far stay buffered on the socket; the TLS socket takes them from there.
      tlsWaiting.set(key, (tlsSocket) => {
        tlsSocket.once('close', () => {
          clearTimeout(timer);
          handshakeDone();
        });
        if (tlsSocket.authorized) return speak(tlsSocket);
        // A certificate the CA did not sign (or none) is a failed proof like a wrong cookie: counted, rate-limited,
        // and answered with a reason the client can read, inside TLS.
        stats.tlsRefused++;
        limiter.fail(address);
        refusals.note('badTls', address);
        refuseNow(tlsSocket, {
          code: 'unauthorized',
          message: `${nodeName} refused the client's TLS certificate (${tlsSocket.authorizationError ?? 'none given'}): it must be signed by the CA the node trusts (--tls-ca)`,
        });
      });
      socket.once('close', () => tlsWaiting.delete(key));
      tlsServer.emit('connection', socket);
    };
    socket.on('readable', onFirstBytes);
    const probe = setTimeout(
      () => {
        socket.off('readable', onFirstBytes);
        stats.plaintextRefused++;
        refusals.note('plaintext', address);
        refuseNow(socket, {
          code: 'unauthorized',
          message: `${nodeName} requires TLS: connect with --tls-cert, --tls-key and --tls-ca`,
        });
      },
      Math.min(plaintextProbeMs, handshakeTimeoutMs),
    );

    function speak(sock: Socket): void {
      const snonce = newNonce();
      let session: RpcSessionImpl | undefined;
      const c: FramedSocket = new FramedSocket(sock, {
        maxFrameBytes,
        maxWriteBufferBytes,
        frameTimeoutMs,
        onFrame: (frame) => (session ? onRequest(session, c, frame) : onAuth(frame)),
        onBadInput: (err) => {
          stats.badFrames++;
          if (!session) return refusals.note('badInput', address);
          if (err.code === 'timeout') stats.frameTimeouts++;
          if (err.code === 'unauthorized') stats.tamperedFrames++;
          log(
            'warn',
            `closing session ${session.id} (${session.remoteNode}) from ${c.remote}: ${err.code}: ${err.message}`,
          );
        },
        onClose: (reason) => {
          clearTimeout(timer);
          handshakeDone();
          connections.delete(c);
          if (session) {
            sessions.delete(session);
            session.markClosed(reason);
            log('info', `session ${session.id} (${session.remoteNode}) closed: ${reason}`);
          }
        },
      });
      conn = c;
      c.decoder.maxFrameBytes = Math.min(maxFrameBytes, HANDSHAKE_MAX_FRAME_BYTES);
      connections.add(c);
      c.send({ hello: { node: nodeName, nonce: snonce } });

      function onAuth(frame: unknown): void {
        const auth = parseAuth(frame);
        if (!auth || !verifyMac(clientMac(cookie, snonce, auth.nonce), auth.mac)) {
          stats.rejectedAuth++;
          limiter.fail(address);
          refusals.note('badAuth', address);
          const refusal: WireError = { code: 'unauthorized', message: 'handshake refused: authentication failed' };
          c.close('unauthorized', { error: refusal });
          return;
        }
        // Every frame from here on, the welcome included, carries the session MAC (DESIGN §5 trust model).
        const seal = sessionSeal(
          { cookie, serverNonce: snonce, clientNonce: auth.nonce, serverNode: nodeName, clientNode: auth.node },
          'server',
        );
        c.startSession(seal.sealer, seal.unsealer);
        try {
          const { stores, workers, storages } = opts.welcome();
          c.send({
            welcome: { mac: serverMac(cookie, auth.nonce, snonce), node: nodeName, stores, workers, storages },
          });
        } catch (e) {
          const err = toGaterError(e);
          log('error', `cannot welcome ${auth.node} from ${c.remote}: ${err.code}: ${err.message}`);
          c.close('welcome failed', { error: err.toWire() });
          return;
        }
        clearTimeout(timer);
        handshakeDone();
        c.decoder.maxFrameBytes = maxFrameBytes;
        session = new RpcSessionImpl(randomUUID(), auth.node, c, log);
        sessions.add(session);
        stats.accepted++;
        log('info', `session ${session.id} opened by ${auth.node} from ${c.remote}`);
      }
    }
  }

  function onRequest(session: RpcSessionImpl, conn: FramedSocket, frame: unknown): void {
    const f = asRecord(frame);
    if (!f || !isRequestId(f.id)) {
      // Without an id there is nothing to answer, and a peer sending such frames is not one of ours.
      stats.badFrames++;
      log('warn', `closing session ${session.id}: frame without a request id`);
      conn.close('malformed frame', { error: invalidArgument('malformed frame: expected {id, op, args}').toWire() });
      return;
    }
    const { id, op, args } = f;
    if (typeof op !== 'string' || op.length === 0) {
      stats.badFrames++;
      sendReply(conn, id, { error: invalidArgument('malformed request: op must be a non-empty string').toWire() });
      return;
    }
    if (op === COUNTERS_OP) {
      let extra: Record<string, number> = {};
      try {
        extra = opts.counters?.() ?? {};
      } catch {
        // A failing source of extra counters still leaves the transport's own.
      }
      sendReply(conn, id, { ok: true, value: { ...stats, ...extra } });
      return;
    }
    dispatch(session, conn, id, op, args, f.split === true);
  }

  /**
   * Runs one request and sends its reply. Chained with `then` rather than written as an async function: a small
   * request's round trip is short enough for the extra promises of an async wrapper to show.
   */
  function dispatch(
    session: RpcSession,
    conn: FramedSocket,
    id: RequestId,
    op: string,
    args: unknown,
    split: boolean,
  ): void {
    let pending: Promise<unknown>;
    try {
      pending = opts.handler(session, op, args);
    } catch (e) {
      pending = Promise.reject(e);
    }
    const fail = (e: unknown): void => {
      if (!(e instanceof GaterError))
        log('error', `handler for ${op} threw: ${e instanceof Error ? e.message : String(e)}`);
      sendReply(conn, id, { error: toGaterError(e).toWire() });
    };
    pending.then((value) => {
      if (split && Array.isArray(value)) return sendListReply(conn, id, value).catch(fail);
      sendReply(conn, id, { ok: true, value });
    }, fail);
  }

  /**
   * Sends a list reply to a client that reassembles (it sent `split: true`): as `{id, ok, value}` when it fits one
   * frame, else as `{id, ok, part}` frames and a final `{id, ok, value}`, in order (DESIGN §5). The list is
   * encoded once and its split planned before the first frame is sent, so the client gets all parts or one error.
   *
   * @throws GaterError `payload_too_large` (one item larger than a frame) or `invalid_argument` (an item with no
   *   JSON form), having sent nothing: the caller answers with the error.
   */
  async function sendListReply(conn: FramedSocket, id: RequestId, value: unknown[]): Promise<void> {
    const key = JSON.stringify(id);
    const envelope = { head: `{"id":${key},"ok":true,"part":`, lastHead: `{"id":${key},"ok":true,"value":`, tail: '}' };
    const frames = arrayFrames(encodeList(value, arrayBudget(envelope, maxFrameBytes) - 2), maxFrameBytes, envelope);
    for (const frame of frames) {
      // A reply of many frames waits for the peer to take the previous one: it never fills the write buffer.
      while (!conn.closed && conn.queuedBytes >= maxFrameBytes) await new Promise<void>((r) => conn.onDrain(r));
      if (conn.closed) return;
      conn.sendFrame(frame);
    }
  }

  /** Sends a reply; one that cannot be sent (too large, not JSON) becomes an error reply for the same id. */
  function sendReply(conn: FramedSocket, id: RequestId, body: Record<string, unknown>): void {
    try {
      conn.send({ id, ...body });
    } catch (e) {
      const err = toGaterError(e);
      try {
        conn.send({ id, error: err.toWire() });
      } catch {
        // The error's details themselves would not encode; the code alone still tells the caller what happened.
        try {
          conn.send({ id, error: { code: err.code, message: 'reply could not be encoded' } });
        } catch {
          conn.close('reply could not be encoded');
        }
      }
    }
  }

  /** Writes one plain error frame and closes; the socket is destroyed soon even if the peer never reads. */
  function refuseNow(socket: Socket, error: WireError): void {
    socket.on('error', () => {});
    socket.end(encodeFrame({ error }));
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(
        new GaterError(
          'internal',
          `cannot listen on ${host}:${opts.port ?? 0}: ${e.code ?? e.message}`,
          { errno: e.code },
          { cause: e },
        ),
      );
    };
    server.once('error', onError);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (e) => log('error', `listener error: ${e.message}`));
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : (opts.port ?? 0);
  log('info', `${nodeName} listening on ${host}:${port}`);

  return {
    port,
    host,
    sessions: () => [...sessions],
    broadcastUpdate(update) {
      const frame = encodeFrame({ update }, maxFrameBytes);
      for (const s of sessions) s.sendFrame(frame);
    },
    stats: () => ({ ...stats }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        refusals.flush();
        refusals.stop();
        server.close(() => resolve());
        for (const c of [...connections]) c.close('server closing');
        for (const s of [...sockets]) s.destroy();
      });
      return closing;
    },
  };
}
