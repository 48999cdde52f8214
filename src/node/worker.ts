import { GaterError, invalidArgument } from '../core/errors.js';
import type { Op, RequestArgs } from '../core/protocol.js';
import type { EventRecord } from '../core/types.js';
import { describe, validateNackAction, validateNonNegativeInt, validateUuidArg } from '../core/validation.js';
import type { EventStore } from './store/eventStore.js';

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

/** How a subscription learns that its gateway is not keeping up, and when it has caught up again. */
export interface PushFlow {
  congested(): boolean;
  onDrain(cb: () => void): void;
}

/** Keeps the node's account of which subscriptions each session holds (so a closed session ends them). */
export interface SessionTracker {
  add(session: NodeSession, subId: string): void;
  remove(session: NodeSession, subId: string): void;
}

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

  async handle(session: NodeSession, op: Op, args: RequestArgs): Promise<unknown> {
    this.calls++;
    const e = this.engine;
    switch (op) {
      case 'append':
        return e.append(args.streamId, args.events, args.expectedVersion, session.ownsArgs === true);
      case 'read':
        return e.read(args.streamId, args.startVersion, args.count, args.direction);
      case 'getVersion':
        return e.getVersion(args.streamId);
      case 'getStreams':
        return e.getStreams();
      case 'headPosition':
        return e.headPosition();
      case 'readAll':
        return e.readAll(args.fromPosition, args.count);
      case 'subscribe': {
        const subId = subIdArg(args.subId);
        const internal = `${session.id}/${subId}`;
        await e.subscribe({
          id: internal,
          type: args.type,
          selector: args.selector,
          name: args.name,
          startFrom: args.startFrom,
          options: (args.options ?? undefined) as never,
          deliver: (events) => session.push(subId, events),
          flow: session.flow,
        });
        this.sessions.add(session, internal);
        return { subId };
      }
      case 'unsubscribe': {
        const internal = `${session.id}/${subIdArg(args.subId)}`;
        this.sessions.remove(session, internal);
        return e.closeSub(internal);
      }
      case 'removeSubscription':
        return e.removeSubscription(args.type, args.selector, args.name);
      case 'getSubscriptions':
        return e.getSubscriptions();
      case 'listParked':
        return e.listParked(args.name);
      case 'replayParked':
        return e.replayParked(args.name, args.positions);
      case 'skipParked':
        return e.skipParked(args.name, args.positions);
      case 'resetSubscription':
        return e.resetSubscription(args.name, args.to);
      case 'deleteSubscription':
        return e.deleteSubscription(args.name);
      case 'ack':
        return e.ack(args.name, subRef(session, args.subId), args.event);
      case 'nack':
        return e.nack(args.name, subRef(session, args.subId), args.event, validateNackAction(args.action));
      case 'recordSnapshot':
        return e.recordSnapshot(...snapArgs(args), args.record);
      case 'readSnapshot':
        return e.readSnapshot(...snapArgs(args));
      case 'deleteSnapshot':
        return e.deleteSnapshot(...snapArgs(args));
      case 'listSnapshots':
        return e.listSnapshots(
          args.sourceUuid === undefined ? 'any' : validateUuidArg(args.sourceUuid, 'sourceUuid', true),
          args.streamUuid === undefined ? 'any' : validateUuidArg(args.streamUuid, 'streamUuid', true),
        );
      case 'listStores':
      case 'ping':
        throw new GaterError('internal', `${op} is answered by the node, not a worker`);
      default:
        throw invalidArgument(`unknown operation ${describe(op)}; this node speaks: append, read, getVersion, ...`);
    }
  }
}

function subIdArg(v: unknown): string {
  if (typeof v === 'string' && v.length > 0 && v.length <= 128) return v;
  throw invalidArgument(`subId must be a non-empty string, got ${describe(v)}`);
}

function subRef(session: NodeSession, v: unknown): string | undefined {
  return typeof v === 'string' ? `${session.id}/${v}` : undefined;
}

function snapArgs(args: RequestArgs): [string, string, number] {
  return [
    validateUuidArg(args.sourceUuid, 'sourceUuid'),
    validateUuidArg(args.streamUuid, 'streamUuid'),
    validateNonNegativeInt(args.version, 'snapshot version'),
  ];
}
