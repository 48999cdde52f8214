/**
 * A man in the middle on loopback: accepts TCP connections and relays each to a target, passing the handshake
 * through unchanged, then tampering with the client's frames (length-prefixed, split here) as told. It knows
 * no cookie, which is exactly the attacker of issue #11 item 1.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type Tamper =
  /** Relay as is. */
  | 'none'
  /** Rewrite `"amount":1` to `"amount":9` (same length) in every frame carrying it. */
  | 'rewrite'
  /** Send every frame carrying `"amount"` twice. */
  | 'replay'
  /** Hold the first frame carrying `"amount"` and send it after the next frame. */
  | 'reorder'
  /** Put a copy of the first frame carrying `"amount"`, rewritten, in front of it. */
  | 'inject';

export interface TamperingRelay {
  readonly port: number;
  mode: Tamper;
  /** Client frames seen (after the handshake's auth). */
  readonly tampered: number;
  /** Connections the target (or the client) closed. */
  readonly closed: number;
  close(): Promise<void>;
}

export async function startTamperingRelay(targetHost: string, targetPort: number): Promise<TamperingRelay> {
  const sockets = new Set<Socket>();
  let tampered = 0;
  let closed = 0;
  const relay = { mode: 'none' as Tamper };

  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('data', (d) => client.write(d));
    upstream.on('close', () => {
      closed++;
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    let buffered = Buffer.alloc(0);
    let frames = 0;
    let held: Buffer | undefined;
    client.on('data', (d: Buffer) => {
      buffered = Buffer.concat([buffered, d]);
      while (buffered.length >= 4) {
        const len = buffered.readUInt32BE(0);
        if (buffered.length < 4 + len) break;
        const frame = buffered.subarray(0, 4 + len);
        buffered = buffered.subarray(4 + len);
        if (frames++ === 0) {
          upstream.write(frame); // the auth: passed through so the handshake succeeds
          continue;
        }
        if (held) {
          upstream.write(frame);
          upstream.write(held);
          held = undefined;
          continue;
        }
        const carries = frame.includes('"amount"');
        if (!carries || relay.mode === 'none') {
          upstream.write(frame);
          continue;
        }
        tampered++;
        const rewritten = Buffer.from(frame.toString('latin1').replace('"amount":1', '"amount":9'), 'latin1');
        if (relay.mode === 'rewrite') upstream.write(rewritten);
        else if (relay.mode === 'replay') upstream.write(Buffer.concat([frame, frame]));
        else if (relay.mode === 'reorder') held = frame;
        else if (relay.mode === 'inject') upstream.write(Buffer.concat([rewritten, frame]));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    get mode() {
      return relay.mode;
    },
    set mode(m: Tamper) {
      relay.mode = m;
    },
    get tampered() {
      return tampered;
    },
    get closed() {
      return closed;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
