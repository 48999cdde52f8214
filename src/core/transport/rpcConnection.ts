/** An authenticated client connection: request/reply correlation, pushes and updates. */
import { GaterError, invalidArgument, isGaterError } from '../errors.js';
import { DeadlineTimer } from '../util/deadlineTimer.js';
import type { FramedSocket, Logger } from './framedSocket.js';
import { asRecord, isRegistryUpdate, type RegistryUpdate } from './protocol.js';

export interface RpcConnection {
  /** The node name the server authenticated as. */
  readonly remoteNode: string;
  /** What the server said about itself in the handshake. */
  readonly welcome: RegistryUpdate;
  /** Whether the connection has closed (then every request fails with `connection_closed`). */
  readonly closed: boolean;
  /**
   * Sends `{id, op, args}` as one frame and waits for its reply.
   *
   * Rejects with the GaterError the server sent (code, message and details rebuilt); `timeout` after
   * timeoutMs (the id is forgotten and a late reply dropped; a non-finite timeoutMs waits for ever);
   * `connection_closed` if the connection closes first; `payload_too_large` if the request frame exceeds
   * `maxFrameBytes` (nothing is sent); `invalid_argument` if args are not JSON or timeoutMs is not positive.
   */
  request(op: string, args: unknown, timeoutMs: number): Promise<unknown>;
  /** Listens to `{sub, events}` pushes, in arrival order. Returns a function that stops listening. */
  onPush(cb: (sub: string, events: unknown[]) => void): () => void;
  /** Listens to `{update}` registry updates. Returns a function that stops listening. */
  onUpdate(cb: (update: RegistryUpdate) => void): () => void;
  /** Runs cb once with the reason when the connection closes (at once, asynchronously, if it already has). */
  onClose(cb: (reason: string) => void): void;
  /** Closes the connection; pending requests fail with `connection_closed`. */
  close(): void;
}

interface Pending {
  op: string;
  resolve(value: unknown): void;
  reject(err: GaterError): void;
  /** performance.now() after which the call fails with `timeout` (Infinity: never). */
  deadline: number;
  timeoutMs: number;
  /** Parts of a list reply split over several frames, in arrival order (DESIGN §5). */
  parts?: unknown[][];
}

/** setTimeout clamps longer delays to 1 ms, so longer timeouts mean "no timer". */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class RpcConnectionImpl implements RpcConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly pushListeners = new Set<(sub: string, events: unknown[]) => void>();
  private readonly updateListeners = new Set<(update: RegistryUpdate) => void>();
  private readonly closeListeners: Array<(reason: string) => void> = [];
  private closeReason: string | undefined;
  /** An id-less error the server sent just before closing: a better close reason than "closed by peer". */
  private farewell: string | undefined;
  /** One timer for the deadlines of every call in flight (a reply only leaves the map). */
  private readonly deadlines = new DeadlineTimer((now) => this.expire(now));

  constructor(
    private readonly framed: FramedSocket,
    readonly remoteNode: string,
    readonly welcome: RegistryUpdate,
    private readonly log: Logger,
  ) {}

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  request(op: string, args: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closeReason !== undefined) {
      return Promise.reject(this.closedError(op, this.closeReason));
    }
    if (!(timeoutMs > 0)) return Promise.reject(invalidArgument('timeoutMs must be positive', { timeoutMs }));
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const p: Pending = { op, resolve, reject, deadline: Infinity, timeoutMs };
      // Registered before writing: a write that overflows the buffer closes the connection and must fail this call too.
      this.pending.set(id, p);
      this.arm(p);
      try {
        // `split`: a list reply too large for one frame may come as parts, which onFrame joins back together.
        this.framed.send({ id, op, args, split: true });
      } catch (e) {
        // Too large or not JSON: refused while encoding, before anything was written.
        this.pending.delete(id);
        reject(isGaterError(e, 'payload_too_large') ? tooLargeRequest(op, args, e) : (e as GaterError));
      }
    });
  }

  /** (Re)starts the request's deadline: a reply in parts has timeoutMs between parts, not for the whole list. */
  private arm(p: Pending): void {
    if (p.timeoutMs > MAX_TIMER_MS) return;
    p.deadline = performance.now() + p.timeoutMs;
    this.deadlines.arm(p.deadline);
  }

  /** Fails the calls overdue at `now`; returns the earliest deadline still waiting. */
  private expire(now: number): number {
    let next = Infinity;
    for (const [id, p] of this.pending) {
      if (p.deadline <= now) {
        this.pending.delete(id);
        p.reject(
          new GaterError('timeout', `${p.op} got no reply within ${p.timeoutMs} ms`, {
            op: p.op,
            timeoutMs: p.timeoutMs,
          }),
        );
      } else if (p.deadline < next) next = p.deadline;
    }
    return next;
  }

  onPush(cb: (sub: string, events: unknown[]) => void): () => void {
    this.pushListeners.add(cb);
    return () => this.pushListeners.delete(cb);
  }

  onUpdate(cb: (update: RegistryUpdate) => void): () => void {
    this.updateListeners.add(cb);
    return () => this.updateListeners.delete(cb);
  }

  onClose(cb: (reason: string) => void): void {
    const reason = this.closeReason;
    if (reason !== undefined) queueMicrotask(() => cb(reason));
    else this.closeListeners.push(cb);
  }

  close(): void {
    this.framed.close('closed by client');
  }

  /** Called by the socket for each frame after the handshake. */
  onFrame(frame: unknown): void {
    const f = asRecord(frame);
    if (!f) return this.log('warn', `ignoring a non-object frame from ${this.remoteNode}`);
    if (f.id !== undefined) {
      const p = typeof f.id === 'number' ? this.pending.get(f.id) : undefined;
      if (!p) return this.log('debug', `dropping a reply for unknown or timed-out request ${String(f.id)}`);
      if (f.error === undefined && Array.isArray(f.part)) {
        (p.parts ??= []).push(f.part);
        this.arm(p);
        return;
      }
      this.pending.delete(f.id as number);
      if (f.error !== undefined) p.reject(GaterError.fromWire(f.error));
      else if (p.parts === undefined) p.resolve(f.value);
      else if (Array.isArray(f.value)) p.resolve(p.parts.flat().concat(f.value));
      else p.reject(new GaterError('internal', `${p.op}: a reply in parts ended with something other than a list`));
      return;
    }
    if (typeof f.sub === 'string' && Array.isArray(f.events)) {
      const { sub, events } = f;
      for (const cb of this.pushListeners) this.safely(() => cb(sub, events));
      return;
    }
    if (isRegistryUpdate(f.update)) {
      const update = f.update;
      for (const cb of this.updateListeners) this.safely(() => cb(update));
      return;
    }
    if (f.error !== undefined) {
      const e = GaterError.fromWire(f.error);
      this.farewell = `${e.code}: ${e.message}`;
      return;
    }
    this.log('warn', `ignoring an unrecognised frame from ${this.remoteNode}`);
  }

  /** Called by the socket once, when the connection has closed for whatever reason. */
  onClosed(reason: string): void {
    const why = this.farewell ?? reason;
    this.closeReason = why;
    this.log('info', `connection to ${this.remoteNode} closed: ${why}`);
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.deadlines.clear();
    for (const p of pending) p.reject(this.closedError(p.op, why));
    for (const cb of this.closeListeners.splice(0)) this.safely(() => cb(why));
  }

  private closedError(op: string, reason: string): GaterError {
    return new GaterError('connection_closed', `connection to ${this.remoteNode} closed: ${reason}`, {
      op,
      node: this.remoteNode,
      reason,
    });
  }

  /** A listener's exception must not break frame processing for the others. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log('error', `listener threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/**
 * A request the frame limit refused, said as what the caller did and what to do instead. One event always fits
 * (eventValidation refuses larger ones); a batch of them may not, and the gateway does not split it, since an
 * append is atomic and two frames would be two appends.
 */
function tooLargeRequest(op: string, args: unknown, e: GaterError): GaterError {
  const { bytes, maxFrameBytes } = e.details as { bytes?: number; maxFrameBytes?: number };
  const events = (args as { events?: unknown } | null)?.events;
  const n = Array.isArray(events) ? events.length : 0;
  const what = op === 'append' && n > 0 ? `the append of ${n} event${n === 1 ? '' : 's'}` : `the ${op} request`;
  const advice =
    op === 'append'
      ? ' Split the events into smaller appends (each append is atomic on its own, the batch as a whole would not be).'
      : '';
  return new GaterError(
    'payload_too_large',
    `${what} is ${bytes} bytes of JSON, more than the ${maxFrameBytes} one request to a node may carry; nothing was sent.${advice}`,
    { ...e.details, op },
    { cause: e },
  );
}
