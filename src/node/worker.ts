import { invalidArgument } from '../core/errors.js';
import type { EventRecord } from '../core/types.js';
import { describeValue, validateNackAction, validateNonNegativeInt, validateUuidArg } from '../core/validation.js';
import type { OpArgs, OpResult, Untrusted, WorkerOp } from '../core/wire/index.js';
import type { EventStore } from './store/eventStore.js';
import type { PushFlow } from './store/liveSubscription.js';

/** The node's view of one gateway connection: where pushes go and when it ends. */
export interface NodeSession {
  readonly id: string;
  /** True when request arguments are private copies (parsed from a transport frame), so they need no defensive copy. */
  readonly ownsArgs?: boolean;
  push(sub: string, events: EventRecord[]): void;
  onClose(cb: (reason: string) => void): void;
  /** Flow control (TCP sessions): whether pushes should wait, and a callback for when they may go on. */
  flow?: PushFlow;
}

/** Keeps the node's account of which subscriptions each session holds (so a closed session ends them). */
export interface SessionTracker {
  add(session: NodeSession, subId: string): void;
  remove(session: NodeSession, subId: string): void;
}

/** What a handler may use: the store's engine, the asking session and the node's account of its subscriptions. */
interface HandlerContext {
  engine: EventStore;
  session: NodeSession;
  sessions: SessionTracker;
}

type Handler<K extends WorkerOp> = (
  ctx: HandlerContext,
  args: Untrusted<OpArgs<K>>,
) => OpResult<K> | Promise<OpResult<K>>;

/**
 * One handler per worker operation of the protocol (core/wire/ops.ts); the mapped type makes the compiler insist
 * that every operation is handled and that each returns its declared result. Arguments arrive unchecked: the
 * engine validates each one.
 */
const HANDLERS: { [K in WorkerOp]: Handler<K> } = {
  // A gateway that asks for `detailed` learns whether the batch was already stored; older ones get the number.
  append: ({ engine, session }, a) => {
    const r = engine.append(a.streamId, a.events, a.expectedVersion, session.ownsArgs === true);
    // The engine's own promise when the detail is wanted (the gateway's case): no extra async step per append.
    return a.detailed === true ? r : r.then((d) => d.version);
  },
  read: ({ engine }, a) => engine.read(a.streamId, a.startVersion, a.count, a.direction),
  getVersion: ({ engine }, a) => engine.getVersion(a.streamId),
  getStreams: ({ engine }) => engine.getStreams(),
  headPosition: ({ engine }) => engine.headPosition(),
  subscribe: async ({ engine, session, sessions }, a) => {
    const subId = subIdArg(a.subId);
    const internal = `${session.id}/${subId}`;
    await engine.subscribe({
      id: internal,
      type: a.type,
      selector: a.selector,
      name: a.name,
      startFrom: a.startFrom,
      options: a.options,
      deliver: (events) => session.push(subId, events),
      flow: session.flow,
    });
    sessions.add(session, internal);
    return { subId };
  },
  unsubscribe: ({ engine, session, sessions }, a) => {
    const internal = `${session.id}/${subIdArg(a.subId)}`;
    sessions.remove(session, internal);
    return engine.closeSub(internal);
  },
  removeSubscription: ({ engine }, a) => engine.removeSubscription(a.type, a.selector, a.name),
  getSubscriptions: ({ engine }) => engine.getSubscriptions(),
  readAll: ({ engine }, a) => engine.readAll(a.fromPosition, a.count),
  correlated: ({ engine }, a) => engine.findCorrelated(a.keys, a.afterPosition, a.count),
  listParked: ({ engine }, a) => engine.listParked(a.name),
  replayParked: ({ engine }, a) => engine.replayParked(a.name, a.positions),
  skipParked: ({ engine }, a) => engine.skipParked(a.name, a.positions),
  resetSubscription: ({ engine }, a) => engine.resetSubscription(a.name, a.to),
  deleteSubscription: ({ engine }, a) => engine.deleteSubscription(a.name),
  ack: ({ engine, session }, a) => engine.ack(a.name, subRef(session, a.subId), a.event),
  nack: ({ engine, session }, a) =>
    engine.nack(a.name, subRef(session, a.subId), a.event, validateNackAction(a.action)),
  recordSnapshot: ({ engine }, a) => engine.recordSnapshot(...snapshotKey(a), a.record),
  readSnapshot: ({ engine }, a) => engine.readSnapshot(...snapshotKey(a)),
  deleteSnapshot: ({ engine }, a) => engine.deleteSnapshot(...snapshotKey(a)),
  listSnapshots: ({ engine }, a) =>
    engine.listSnapshots(
      a.sourceUuid === undefined ? 'any' : validateUuidArg(a.sourceUuid, 'sourceUuid', true),
      a.streamUuid === undefined ? 'any' : validateUuidArg(a.streamUuid, 'streamUuid', true),
    ),
};

/**
 * GatewayWorker: executes API requests for one store (EXESDB_SPEC §2.1). A node runs `poolSize` of them per
 * store; they share the store's engine, so a worker is a unit of routing and accounting, not of data.
 */
export class GatewayWorker {
  calls = 0;
  constructor(
    readonly id: string,
    readonly store: string,
    readonly node: string,
    private readonly engine: EventStore,
    private readonly sessions: SessionTracker,
  ) {}

  describe(): { store: string; node: string; id: string } {
    return { store: this.store, node: this.node, id: this.id };
  }

  /** The handler's result as it comes (a value or a promise): the node awaits it once, inside its error mapping. */
  handle<K extends WorkerOp>(
    session: NodeSession,
    op: K,
    args: Untrusted<OpArgs<K>>,
  ): OpResult<K> | Promise<OpResult<K>> {
    this.calls++;
    const handler: Handler<K> = HANDLERS[op];
    return handler({ engine: this.engine, session, sessions: this.sessions }, args);
  }
}

function subIdArg(v: unknown): string {
  if (typeof v === 'string' && v.length > 0 && v.length <= 128) return v;
  throw invalidArgument(`subId must be a non-empty string, got ${describeValue(v)}`);
}

function subRef(session: NodeSession, v: unknown): string | undefined {
  return typeof v === 'string' ? `${session.id}/${v}` : undefined;
}

function snapshotKey(args: Untrusted<OpArgs<'readSnapshot'>>): [string, string, number] {
  return [
    validateUuidArg(args.sourceUuid, 'sourceUuid'),
    validateUuidArg(args.streamUuid, 'streamUuid'),
    validateNonNegativeInt(args.version, 'snapshot version'),
  ];
}
