import { GaterError } from '../core/errors.js';
import type { NodeLink } from '../core/link.js';
import { DeadlineTimer } from '../core/util/index.js';
import type { NodeAnnouncement, Op, OpRequest, OpResult } from '../core/wire/index.js';
import type { EventRecord } from '../core/types.js';
import type { StoreNode } from './storeNode.js';
import type { NodeSession } from './worker.js';

let sessionSeq = 0;

interface PendingCall {
  deadline: number;
  op: string;
  timeoutMs: number;
  reject: (e: unknown) => void;
}

/** Embedded mode: the gateway talks to a store node in this process, with no sockets and no serialisation. */
export class InProcessLink implements NodeLink {
  readonly address = 'in-process';
  private readonly pushListeners: ((sub: string, events: EventRecord[]) => void)[] = [];
  private readonly updateListeners: ((a: NodeAnnouncement) => void)[] = [];
  private readonly closeListeners: ((reason: string) => void)[] = [];
  private readonly session: NodeSession;
  private readonly unwatch: () => void;
  closed = false;
  /** Calls in flight, for their deadlines. */
  private readonly pending = new Set<PendingCall>();
  private readonly deadlines = new DeadlineTimer((now) => this.expire(now));

  constructor(private readonly target: StoreNode) {
    const sessionClose: ((reason: string) => void)[] = [];
    this.session = {
      id: `inproc-${++sessionSeq}`,
      // Deferred like a socket would: a subscriber that acks or nacks inside its callback must not be re-entered.
      push: (sub, events) =>
        queueMicrotask(() => {
          for (const l of this.pushListeners) l(sub, events);
        }),
      onClose: (cb) => sessionClose.push(cb),
    };
    this.onClose((reason) => sessionClose.forEach((cb) => cb(reason)));
    this.unwatch = target.onChange(() => {
      const a = target.announcement();
      for (const l of this.updateListeners) l(a);
    });
  }

  get node(): string {
    return this.target.name;
  }

  announcement(): NodeAnnouncement {
    return this.target.announcement();
  }

  request<K extends Op>(op: K, args: OpRequest<K>, timeoutMs: number): Promise<OpResult<K>> {
    if (this.closed) return Promise.reject(new GaterError('connection_closed', `link to ${this.node} is closed`));
    const work = this.target.dispatch(this.session, op, args);
    return new Promise((resolve, reject) => {
      const call: PendingCall = { deadline: performance.now() + timeoutMs, op, timeoutMs, reject };
      this.pending.add(call);
      this.deadlines.arm(call.deadline);
      // Waiting calls keep the process alive until their deadline, as a timer per call did; an idle link does not.
      if (this.pending.size === 1) this.deadlines.holdOpen(true);
      const settle = () => {
        this.pending.delete(call);
        if (this.pending.size === 0) this.deadlines.holdOpen(false);
      };
      work.then(
        (v) => {
          settle();
          resolve(v);
        },
        (e: unknown) => {
          settle();
          reject(e);
        },
      );
    });
  }

  /** Fails the calls overdue at `now` with `timeout`; returns the earliest deadline still waiting. */
  private expire(now: number): number {
    let next = Infinity;
    for (const call of this.pending) {
      if (call.deadline <= now) {
        this.pending.delete(call);
        call.reject(
          new GaterError(
            'timeout',
            `${call.op} on ${this.node} got no answer within ${call.timeoutMs} ms; the node may be overloaded — retry or raise --timeout`,
          ),
        );
      } else if (call.deadline < next) next = call.deadline;
    }
    return next;
  }

  onPush(cb: (sub: string, events: EventRecord[]) => void): void {
    this.pushListeners.push(cb);
  }

  onUpdate(cb: (a: NodeAnnouncement) => void): void {
    this.updateListeners.push(cb);
  }

  onClose(cb: (reason: string) => void): void {
    this.closeListeners.push(cb);
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch();
    for (const l of this.closeListeners) l(reason);
  }
}
