/** One authenticated peer connection, as the server's handler sees it. */
import type { FramedSocket } from './framedSocket.js';

export interface RpcSession {
  /** Random id, unique per connection. */
  readonly id: string;
  /** The node name the peer authenticated as. */
  readonly remoteNode: string;
  /** Whether the connection has closed. */
  readonly closed: boolean;
  /**
   * Sends one `{sub, events}` frame; a batch is one frame, whatever its length. Does nothing once closed.
   *
   * @throws GaterError `payload_too_large` if the batch does not fit in one frame (split it and retry), or
   *   `invalid_argument` if it is not JSON; nothing is sent.
   */
  push(sub: string, events: unknown[]): void;
  /** Runs cb once with the reason when the connection closes (at once, asynchronously, if it already has). */
  onClose(cb: (reason: string) => void): void;
  /** Closes the connection; the peer's pending requests fail with `connection_closed`. */
  close(): void;
}

export class RpcSessionImpl implements RpcSession {
  private readonly closeCallbacks: Array<(reason: string) => void> = [];
  private closeReason: string | undefined;

  constructor(
    readonly id: string,
    readonly remoteNode: string,
    private readonly conn: FramedSocket,
  ) {}

  get closed(): boolean {
    return this.closeReason !== undefined || this.conn.closed;
  }

  push(sub: string, events: unknown[]): void {
    this.conn.send({ sub, events });
  }

  /** Writes an already encoded frame (a broadcast is encoded once for every session). */
  sendFrame(frame: Buffer): void {
    this.conn.sendFrame(frame);
  }

  onClose(cb: (reason: string) => void): void {
    const reason = this.closeReason;
    if (reason !== undefined) queueMicrotask(() => cb(reason));
    else this.closeCallbacks.push(cb);
  }

  close(): void {
    this.conn.close('closed by server');
  }

  /** Called by the server when the connection has closed. */
  markClosed(reason: string): void {
    this.closeReason = reason;
    for (const cb of this.closeCallbacks.splice(0)) {
      try {
        cb(reason);
      } catch {
        // One listener's failure must not stop the others or the server's bookkeeping.
      }
    }
  }
}
