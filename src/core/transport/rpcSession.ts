/** One authenticated peer connection, as the server's handler sees it. */
import { toGaterError } from '../errors.js';
import type { FramedSocket, Logger } from './framedSocket.js';

export interface RpcSession {
  /** Random id, unique per connection. */
  readonly id: string;
  /** The node name the peer authenticated as. */
  readonly remoteNode: string;
  /** Whether the connection has closed. */
  readonly closed: boolean;
  /**
   * Queues events for subscription `sub`. Everything pushed for one subscription in one turn of the event loop
   * leaves as one `{sub, events}` frame, in push order, in the same write as that turn's replies. Does nothing
   * once closed. A push that cannot be encoded (too large for a frame, not JSON) is dropped and logged.
   */
  push(sub: string, events: unknown[]): void;
  /** Bytes queued for this peer that it has not taken yet: flow control pauses pushes above a bound. */
  readonly queuedBytes: number;
  /** Runs cb once when what is queued for this peer has been written out. */
  onDrain(cb: () => void): void;
  /** Runs cb once with the reason when the connection closes (at once, asynchronously, if it already has). */
  onClose(cb: (reason: string) => void): void;
  /** Closes the connection; the peer's pending requests fail with `connection_closed`. */
  close(): void;
}

/** Events gathered for pushes before they are sent without waiting for the end of the event loop turn. */
const PUSH_FLUSH_EVENTS = 1000;

export class RpcSessionImpl implements RpcSession {
  private readonly closeCallbacks: Array<(reason: string) => void> = [];
  private closeReason: string | undefined;

  /** Pushes of this turn per subscription, in order; sent just before the socket's next flush. */
  private pending = new Map<string, unknown[][]>();
  private pendingEvents = 0;

  constructor(
    readonly id: string,
    readonly remoteNode: string,
    private readonly conn: FramedSocket,
    private readonly log: Logger = () => {},
  ) {}

  get closed(): boolean {
    return this.closeReason !== undefined || this.conn.closed;
  }

  push(sub: string, events: unknown[]): void {
    if (this.closed) return;
    if (this.pending.size === 0) this.conn.beforeFlush(this.sendPushes);
    const parts = this.pending.get(sub);
    if (parts) parts.push(events);
    else this.pending.set(sub, [events]);
    // Bounded coalescing: a burst does not wait for the end of the turn once it makes a full frame's worth.
    this.pendingEvents += events.length;
    if (this.pendingEvents >= PUSH_FLUSH_EVENTS) this.conn.flush();
  }

  get queuedBytes(): number {
    return this.conn.queuedBytes;
  }

  onDrain(cb: () => void): void {
    this.conn.onDrain(cb);
  }

  /** One frame per subscription; if the joined batch cannot be sent, its pushes are tried one by one. */
  private readonly sendPushes = (): void => {
    const pending = this.pending;
    this.pending = new Map();
    this.pendingEvents = 0;
    for (const [sub, parts] of pending) {
      const events = parts.length === 1 ? parts[0]! : parts.flat();
      try {
        this.conn.send({ sub, events });
        continue;
      } catch (e) {
        if (parts.length === 1) {
          this.pushFailed(sub, events.length, e);
          continue;
        }
      }
      for (const part of parts) {
        try {
          this.conn.send({ sub, events: part });
        } catch (e) {
          this.pushFailed(sub, part.length, e);
        }
      }
    }
  };

  private pushFailed(sub: string, count: number, e: unknown): void {
    const err = toGaterError(e);
    this.log(
      'error',
      `push of ${count} event(s) for subscription ${sub} to ${this.remoteNode} dropped: ${err.code}: ${err.message}`,
    );
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
