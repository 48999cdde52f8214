/**
 * The gateway's side of the TCP transport (DESIGN §5): connects to a store node, proves it knows the cookie,
 * checks the node proves it too, then correlates requests with replies and hands pushes to listeners.
 */
import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { GaterError, invalidArgument } from '../errors.js';
import { DEFAULT_MAX_FRAME_BYTES, type FrameOpener } from '../wire/frame.js';
import { DEFAULT_MAX_WRITE_BUFFER_BYTES, FramedSocket, type Logger } from './framedSocket.js';
import {
  clientMac,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  newNonce,
  parseHello,
  parseWelcome,
  serverMac,
  verifyMac,
} from './handshake.js';
import { asRecord, MIN_FRAME_BYTES } from './protocol.js';
import { RpcConnectionImpl, type RpcConnection } from './rpcConnection.js';
import { sessionSeal, TAG_BYTES, type FrameUnsealer } from './sessionSeal.js';
import { tlsContext, tlsFailureMessage, type TlsOptions } from './tls.js';

/** Default time to establish the TCP connection: 5 s. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export interface RpcClientOptions {
  host: string;
  port: number;
  /** This process's node name, sent in `auth`. */
  nodeName: string;
  /** Shared secret both sides prove they know. Never logged, never sent. */
  cookie: string;
  /** Largest JSON payload of one frame, both ways (default 16 MiB). Larger requests are refused before sending. */
  maxFrameBytes?: number;
  /** Time from TCP connect to a verified `welcome` (default 5000 ms). */
  handshakeTimeoutMs?: number;
  /** Time to establish the TCP connection (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Cap on bytes queued for a server that does not read (default 64 MiB); beyond it the connection is closed. */
  maxWriteBufferBytes?: number;
  /** Where connection events go (default: nowhere). */
  log?: Logger;
  /** Mutual TLS under the handshake: our certificate and key, and the CA the node's certificate must be signed by. */
  tls?: TlsOptions;
}

const noop: Logger = () => {};

/**
 * Before the first sealed frame, a node that refuses our auth answers with a plain `{error}` (it has no session
 * to seal it with): let exactly that through so the caller sees the node's reason. A relay could inject such a
 * refusal, but it can always end the connection anyway.
 */
function refusalOrSealed(unsealer: FrameUnsealer): FrameOpener {
  return {
    overhead: TAG_BYTES,
    openAt(buf, start, end) {
      try {
        return unsealer.openAt(buf, start, end);
      } catch (e) {
        if (unsealer.opened === 0 && isPlainRefusal(buf.subarray(start, end))) return start;
        throw e;
      }
    },
  };
}

function isPlainRefusal(payload: Buffer): boolean {
  try {
    const f = asRecord(JSON.parse(payload.toString('utf8')));
    return f !== undefined && Object.keys(f).length === 1 && asRecord(f.error) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Connects and completes the handshake.
 *
 * Rejects with GaterError `unauthorized` (the server refused our MAC, or its MAC was wrong), `timeout` (no
 * connection or no handshake in time), or `connection_closed` (refused, reset, or the peer is not speaking
 * this protocol).
 */
export function connectRpc(opts: RpcClientOptions): Promise<RpcConnection> {
  if (typeof opts.cookie !== 'string' || opts.cookie.length === 0)
    return Promise.reject(invalidArgument('cookie must be a non-empty string'));
  if (typeof opts.nodeName !== 'string' || opts.nodeName.length === 0)
    return Promise.reject(invalidArgument('nodeName must be a non-empty string'));
  const maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < MIN_FRAME_BYTES) {
    return Promise.reject(invalidArgument(`maxFrameBytes must be an integer >= ${MIN_FRAME_BYTES}`));
  }
  const { host, port, cookie, nodeName } = opts;
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const log = opts.log ?? noop;
  const where = `${host}:${port}`;
  let secureContext;
  try {
    secureContext = opts.tls ? tlsContext(opts.tls) : undefined;
  } catch (e) {
    return Promise.reject(e);
  }

  return new Promise<RpcConnection>((resolve, reject) => {
    const cnonce = newNonce();
    let hello: { node: string; nonce: string } | undefined;
    let connection: RpcConnectionImpl | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const fail = (err: GaterError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      log('warn', `connection to ${where} failed: ${err.code}: ${err.message}`);
      framed.close(err.code);
      reject(err);
    };

    // With TLS the node's certificate is checked against the CA, not against the host name (see tls.ts).
    const socket: Socket = secureContext
      ? connectTls({
          host,
          port,
          secureContext,
          servername: isIP(host) ? undefined : host,
          checkServerIdentity: () => undefined,
        })
      : connect({ host, port });
    let socketError: (Error & { code?: string }) | undefined;
    socket.on('error', (e) => (socketError ??= e));
    const framed: FramedSocket = new FramedSocket(socket, {
      maxFrameBytes,
      maxWriteBufferBytes: opts.maxWriteBufferBytes ?? DEFAULT_MAX_WRITE_BUFFER_BYTES,
      onFrame: (frame) => (connection ? connection.onFrame(frame) : onHandshakeFrame(frame)),
      onBadInput: (err) => {
        log('warn', `bad input from ${where}: ${err.code}: ${err.message}`);
        // A welcome that fails the session MAC: the node does not know our cookie, or a relay changed it.
        if (!connection && err.code === 'unauthorized')
          fail(new GaterError('unauthorized', `${where} failed to prove it knows the cookie`, { host, port }));
      },
      onClose: (reason) => {
        clearTimeout(timer);
        if (connection) return connection.onClosed(reason);
        const tlsMessage = secureContext ? tlsFailureMessage(socketError?.code, where) : undefined;
        // A TLS failure is a refusal (certificates or TLS settings differ), reported like a wrong cookie.
        if (tlsMessage) fail(new GaterError('unauthorized', tlsMessage, { host, port, code: socketError?.code }));
        else
          fail(
            new GaterError('connection_closed', `connection to ${where} closed during handshake: ${reason}`, {
              host,
              port,
              reason,
            }),
          );
      },
    });

    timer = setTimeout(
      () => fail(new GaterError('timeout', `cannot connect to ${where} within ${connectTimeoutMs} ms`, { host, port })),
      connectTimeoutMs,
    );
    socket.once(secureContext ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      if (settled) return;
      timer = setTimeout(
        () =>
          fail(new GaterError('timeout', `no handshake from ${where} within ${handshakeTimeoutMs} ms`, { host, port })),
        handshakeTimeoutMs,
      );
    });

    function onHandshakeFrame(frame: unknown): void {
      const refusal = asRecord(frame)?.error;
      if (refusal !== undefined) {
        fail(GaterError.fromWire(refusal));
        return;
      }
      if (hello === undefined) {
        hello = parseHello(frame);
        if (!hello) return fail(notOurProtocol('hello'));
        framed.send({ auth: { node: nodeName, nonce: cnonce, mac: clientMac(cookie, hello.nonce, cnonce) } });
        // The welcome and everything after it are sealed with the session key (DESIGN §5 trust model).
        const seal = sessionSeal(
          { cookie, serverNonce: hello.nonce, clientNonce: cnonce, serverNode: hello.node, clientNode: nodeName },
          'client',
        );
        framed.startSession(seal.sealer, refusalOrSealed(seal.unsealer));
        return;
      }
      const welcome = parseWelcome(frame);
      if (!welcome || welcome.node !== hello.node) return fail(notOurProtocol('welcome'));
      if (!verifyMac(serverMac(cookie, cnonce, hello.nonce), welcome.mac)) {
        return fail(
          new GaterError('unauthorized', `${where} failed to prove it knows the cookie`, {
            host,
            port,
            node: welcome.node,
          }),
        );
      }
      settled = true;
      clearTimeout(timer);
      connection = new RpcConnectionImpl(
        framed,
        welcome.node,
        { stores: welcome.stores, workers: welcome.workers, storages: welcome.storages },
        log,
      );
      log('info', `connected to ${welcome.node} at ${where}`);
      resolve(connection);
    }

    function notOurProtocol(expected: string): GaterError {
      return new GaterError(
        'connection_closed',
        `${where} sent something other than a ${expected}: not an ex-esdb node?`,
        { host, port },
      );
    }
  });
}
