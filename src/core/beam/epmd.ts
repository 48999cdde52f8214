/**
 * EPMD lookup: which TCP port a node listens on for distribution (`PORT_PLEASE2_REQ`, erl_dist_protocol.md).
 * A hidden client that never accepts connections does not register itself.
 */
import { connect } from 'node:net';
import { GaterError } from '../errors.js';

export const EPMD_DEFAULT_PORT = 4369;
const PORT_PLEASE2_REQ = 122;
const PORT2_RESP = 119;

export interface EpmdEntry {
  port: number;
  /** 77 normal, 72 hidden. */
  nodeType: number;
  protocol: number;
  highestVersion: number;
  lowestVersion: number;
  name: string;
}

/** The EPMD port: `ERL_EPMD_PORT` as Erlang itself reads it, else 4369. */
export function epmdPort(env: Record<string, string | undefined> = process.env): number {
  const p = Number(env.ERL_EPMD_PORT);
  return Number.isInteger(p) && p > 0 && p < 65536 ? p : EPMD_DEFAULT_PORT;
}

/**
 * Asks EPMD on `host` for the port of `alive`.
 * @throws GaterError `not_found` when the node is not registered, `connection_closed` when EPMD cannot be
 *   reached or answers garbage, `timeout` after timeoutMs.
 */
export function lookupNode(
  host: string,
  alive: string,
  opts: { port?: number; timeoutMs?: number } = {},
): Promise<EpmdEntry> {
  const port = opts.port ?? epmdPort();
  const timeoutMs = opts.timeoutMs ?? 3000;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (err: GaterError | undefined, entry?: EpmdEntry): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(entry!);
    };
    const timer = setTimeout(
      () => finish(new GaterError('timeout', `EPMD at ${host}:${port} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('connect', () => {
      const name = Buffer.from(alive, 'utf8');
      const req = Buffer.alloc(3 + name.length);
      req.writeUInt16BE(1 + name.length, 0);
      req[2] = PORT_PLEASE2_REQ;
      name.copy(req, 3);
      socket.write(req);
    });
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const r = parsePort2Resp(Buffer.concat(chunks));
      if (r === 'incomplete') return;
      if (r === 'not_registered')
        finish(
          new GaterError(
            'not_found',
            `no Erlang node "${alive}" is registered with EPMD at ${host}:${port}; check the node name and that the node runs`,
            { node: alive, host },
          ),
        );
      else if (r === 'garbage')
        finish(new GaterError('connection_closed', `EPMD at ${host}:${port} sent a malformed reply`));
      else finish(undefined, r);
    });
    socket.on('error', (e) =>
      finish(new GaterError('connection_closed', `cannot reach EPMD at ${host}:${port}: ${e.message}`, { host, port })),
    );
    // EPMD closes after a complete answer; closing before one means a short read.
    socket.on('close', () =>
      finish(new GaterError('connection_closed', `EPMD at ${host}:${port} closed the connection without an answer`)),
    );
  });
}

/** Parses a PORT2_RESP; 'incomplete' while bytes are missing. */
export function parsePort2Resp(b: Buffer): EpmdEntry | 'incomplete' | 'not_registered' | 'garbage' {
  if (b.length < 2) return 'incomplete';
  if (b[0] !== PORT2_RESP) return 'garbage';
  if (b[1] !== 0) return 'not_registered';
  if (b.length < 12) return 'incomplete';
  const nlen = b.readUInt16BE(10);
  if (b.length < 12 + nlen + 2) return 'incomplete';
  const elen = b.readUInt16BE(12 + nlen);
  if (b.length < 14 + nlen + elen) return 'incomplete';
  return {
    port: b.readUInt16BE(2),
    nodeType: b[4]!,
    protocol: b[5]!,
    highestVersion: b.readUInt16BE(6),
    lowestVersion: b.readUInt16BE(8),
    name: b.subarray(12, 12 + nlen).toString('utf8'),
  };
}
