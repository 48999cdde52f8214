/** One authenticated peer connection, as the server's handler sees it. */
import { GaterError, toGaterError } from '../errors.js';
import { arrayBudget, arrayFrames, encodeList, type ArrayEnvelope, type EncodedItem } from '../wire/frameSplit.js';
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
   * leaves as one `{sub, events}` frame (several, in order, when it does not fit one), in push order, in the same
   * write as that turn's replies. Does nothing once closed. An event that cannot be encoded (larger than a frame,
   * not JSON) is dropped and logged; the events around it still go.
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

  /**
   * Pushes of this turn per subscription, already encoded (once per push: the frames are written from these
   * pieces); sent just before the socket's next flush.
   */
  private pending = new Map<string, EncodedItem[]>();
  private pendingEvents = 0;
  private pendingBytes = 0;
  private readonly budgets = new Map<string, number>();

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
    if (this.closed || events.length === 0) return;
    const budget = this.budget(sub);
    // One encoding per push, kept until the frames are written from it; cut per event only when it is too big.
    const pieces = encodeList(events, budget, (_i, e) => this.pushFailed(sub, 1, e));
    let list = this.pending.get(sub);
    for (const piece of pieces) {
      if (piece.bytes > budget) {
        const err = new GaterError(
          'payload_too_large',
          `event of ${piece.bytes} bytes does not fit one ${this.conn.maxFrameBytes}-byte frame`,
          { bytes: piece.bytes, maxFrameBytes: this.conn.maxFrameBytes },
        );
        this.pushFailed(sub, 1, err);
        continue;
      }
      if (!list) {
        if (this.pending.size === 0) this.conn.beforeFlush(this.sendPushes);
        list = [];
        this.pending.set(sub, list);
      }
      list.push(piece);
      this.pendingBytes += piece.bytes;
    }
    this.pendingEvents += events.length;
    // Bounded coalescing: a burst does not wait for the end of the turn once it makes a full frame's worth.
    if (this.pendingEvents >= PUSH_FLUSH_EVENTS || this.pendingBytes >= this.conn.maxFrameBytes) this.conn.flush();
  }

  /** Bytes a push frame for `sub` leaves for its events' JSON (cached: computed for every push otherwise). */
  private budget(sub: string): number {
    let b = this.budgets.get(sub);
    if (b === undefined) {
      if (this.budgets.size >= 1024) this.budgets.clear(); // ids of ended subscriptions
      b = arrayBudget(pushEnvelope(sub), this.conn.maxFrameBytes) - 2;
      this.budgets.set(sub, b);
    }
    return b;
  }

  /** Includes pushes gathered but not yet written, so flow control sees a big catch-up as it is being queued. */
  get queuedBytes(): number {
    return this.conn.queuedBytes + this.pendingBytes;
  }

  onDrain(cb: () => void): void {
    if (this.pendingBytes > 0) this.conn.flush(); // what is gathered must be written before it can drain
    this.conn.onDrain(cb);
  }

  /**
   * Per subscription, its gathered events as few frames as fit `maxFrameBytes` (DESIGN §5): a list too large for
   * one frame is split, in order, over several `{sub, events}` frames; the gateway takes them as consecutive pushes.
   */
  private readonly sendPushes = (): void => {
    const pending = this.pending;
    this.pending = new Map();
    this.pendingEvents = 0;
    this.pendingBytes = 0;
    for (const [sub, pieces] of pending) {
      // Cannot throw: every piece was checked against the frame's budget when it was pushed.
      for (const frame of arrayFrames(pieces, this.conn.maxFrameBytes, pushEnvelope(sub))) this.conn.sendFrame(frame);
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

/** A push frame around its events: `{"sub":…,"events":[…]}`. */
function pushEnvelope(sub: string): ArrayEnvelope {
  return { head: `{"sub":${JSON.stringify(sub)},"events":`, tail: '}' };
}
