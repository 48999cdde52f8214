/**
 * A NodeLink to one ExESDB (BEAM) node over Erlang distribution: each gateway op becomes an rpc of
 * `ExESDBGater.API` through the node's `rex` (BEAM_BRIDGE.md §1.1), with our records mapped to ExESDB's and its
 * error tuples to GaterError codes. Live events arrive by pg membership (see beamSubscriptions.ts).
 */
import { GaterError } from '../errors.js';
import type { NodeLink } from '../link.js';
import type { LogFn } from '../log.js';
import { matchesKeys } from '../correlation.js';
import type { LooseRequest as RequestArgs, NodeAnnouncement, Op, OpRequest, OpResult } from '../wire/ops.js';
import type { EventRecord, NewEvent, SnapshotRecord, SubscriptionInfo, SubscriptionType } from '../types.js';
import { Atom, Pid, TermMap, Tuple, atom, termMap, tuple, type Term } from '../wire/etf.js';
import type { DistConnection, Mailbox } from './distConnection.js';
import { rpcCall } from './rpc.js';
import {
  dateTimeToIso,
  field,
  isoDateTime,
  jsonToTerm,
  newEventToTerm,
  recordFromTerm,
  termToJson,
} from './records.js';
import { appendError, okValue, readError } from './replies.js';
import { exesdbTopic } from './topics.js';

/** An operation ExESDB's gater API cannot answer: refused with the reason, never sent. */
function unsupported(op: string, why: string): GaterError {
  return new GaterError('invalid_argument', `${op} is not available against ExESDB: ${why}`, { op, beam: true });
}

/** Events per get_events call when a `follow` has to read every stream of an ExESDB store. */
const BEAM_SCAN_PAGE = 1000;

export const GATER_API = 'Elixir.ExESDBGater.API';
const PUBSUB_SCOPE = 'Elixir.Phoenix.PubSub';
const EVENTS_ADAPTER = 'Elixir.ex_esdb_events.Adapter';
/** How often a link re-reads the stores its node hosts. */
const STORES_REFRESH_MS = 10_000;

/** Link state and figures for `status`. */
export interface BeamLinkStatus {
  node: string;
  otpRelease: string;
  state: 'linked' | 'closed';
  /** pg peer sync done: broadcasts reach us from this node. */
  pubsubJoined: boolean;
  lastCallMs: number | null;
  avgCallMs: number | null;
  calls: number;
  stores: string[];
}

/**
 * What a link needs from the subscriptions it serves (BeamSubscriptions in beamSubscriptions.ts, which drives the
 * links): broadcasts to hand over, subscription ops to delegate, and how far a subscription's deliveries got.
 */
export interface LinkSubscriptions {
  onBroadcast(topic: string, terms: Term[]): void;
  request(link: BeamLink, op: Op, args: RequestArgs, timeoutMs: number): Promise<unknown>;
  delivered(store: string, name: string): number | undefined;
}

export class BeamLink implements NodeLink {
  readonly address: string;
  private stores: string[] = [];
  private readonly pushListeners: Array<(sub: string, events: EventRecord[]) => void> = [];
  private readonly updateListeners: Array<(a: NodeAnnouncement) => void> = [];
  private otpRelease = '?';
  private pubsubJoined = false;
  private calls = 0;
  private lastCallMs: number | null = null;
  private avgCallMs: number | null = null;
  private readonly scope: Mailbox;
  private readonly member: Mailbox;
  private readonly refresh: NodeJS.Timeout;

  constructor(
    readonly conn: DistConnection,
    private readonly subs: LinkSubscriptions,
    private readonly log: LogFn = () => {},
  ) {
    this.address = `beam:${conn.peer}`;
    // pg peer protocol (§2.3): announce our scope, answer the node's discover with a sync listing our member in
    // the ex_esdb_events adapter group; broadcasts then reach the member as forward_to_local messages.
    this.scope = conn.openMailbox((s) => {
      if (s.kind !== 'message') return;
      this.onScopeMessage(s.msg);
    });
    this.member = conn.openMailbox((s) => {
      if (s.kind !== 'message') return;
      const m = s.msg;
      if (!(m instanceof Tuple) || m.elements.length !== 4) return;
      const [tag, topic, payload] = m.elements;
      if (!(tag instanceof Atom) || tag.name !== 'forward_to_local' || !(topic instanceof Uint8Array)) return;
      if (!(payload instanceof Tuple) || !(payload.elements[0] instanceof Atom)) return;
      if (payload.elements[0].name !== 'events' || !Array.isArray(payload.elements[1])) return;
      this.subs.onBroadcast(Buffer.from(topic).toString('utf8'), payload.elements[1] as Term[]);
    });
    conn.regSend(this.scope.pid, PUBSUB_SCOPE, tuple(atom('discover'), this.scope.pid));
    this.refresh = setInterval(() => void this.loadStores().catch(() => {}), STORES_REFRESH_MS);
    this.refresh.unref();
    conn.onClose(() => clearInterval(this.refresh));
  }

  private onScopeMessage(m: Term): void {
    if (!(m instanceof Tuple) || !(m.elements[0] instanceof Atom)) return;
    const tag = m.elements[0].name;
    const peerScope = m.elements[1];
    // {discover, P} (and OTP 26+'s {discover, P, Vsn}): answer with our membership, the exact shape pg expects.
    if (tag === 'discover' && peerScope !== undefined && (m.elements.length === 2 || m.elements.length === 3)) {
      if (!(peerScope instanceof Pid)) return;
      this.conn.send(
        peerScope,
        tuple(atom('$gen_cast'), tuple(atom('sync'), this.scope.pid, [tuple(atom(EVENTS_ADAPTER), [this.member.pid])])),
      );
      return;
    }
    if (tag === '$gen_cast' && peerScope instanceof Tuple && peerScope.elements[0] instanceof Atom) {
      if (peerScope.elements[0].name === 'sync') {
        this.pubsubJoined = true;
        this.log('debug', `🔗 [BEAM] joined the PubSub group on ${this.node}`);
      }
    }
  }

  get node(): string {
    return this.conn.peer;
  }

  get closed(): boolean {
    return this.conn.closed;
  }

  /** Reads the OTP release and the stores this node hosts (first call after connecting). */
  async init(timeoutMs: number): Promise<void> {
    const rel = await rpcCall(this.conn, 'erlang', 'system_info', [atom('otp_release')], timeoutMs);
    this.otpRelease = Array.isArray(rel) ? String.fromCharCode(...(rel as number[])) : '?';
    await this.loadStores(timeoutMs).catch((e: unknown) =>
      this.log('warn', `🔗 [BEAM] ${this.node}: cannot list stores yet (${(e as Error).message}); retrying`),
    );
  }

  private async loadStores(timeoutMs = 5000): Promise<void> {
    const v = okValue(this.node, 'list_stores', await this.rpc('list_stores', [], timeoutMs));
    const stores = new Set<string>();
    for (const entry of Array.isArray(v) ? (v as Term[]) : []) {
      const node = field(entry, 'node');
      const id = field(field(entry, 'store'), 'store_id');
      if (node instanceof Atom && node.name === this.node && id instanceof Atom) stores.add(id.name);
    }
    const next = [...stores].sort();
    if (next.join(',') === this.stores.join(',')) return;
    this.stores = next;
    for (const l of this.updateListeners) l(this.announcement());
  }

  announcement(): NodeAnnouncement {
    return {
      node: this.node,
      stores: this.stores,
      // ExESDB's own workers are picked by the API inside the cluster; to our router a node is one worker.
      workers: this.stores.map((store) => ({ store, node: this.node, id: `${this.node}/rex` })),
      // ExESDB replicates each store over its Erlang cluster (Khepri/Ra): every node of it serves the same copy, so
      // they are one consistency group (DESIGN §8). One gateway links to one cluster only (one cookie).
      storages: Object.fromEntries(this.stores.map((store) => [store, { kind: 'beam', id: `exesdb:${store}` }])),
    };
  }

  status(): BeamLinkStatus {
    return {
      node: this.node,
      otpRelease: this.otpRelease,
      state: this.closed ? 'closed' : 'linked',
      pubsubJoined: this.pubsubJoined,
      lastCallMs: this.lastCallMs,
      avgCallMs: this.avgCallMs,
      calls: this.calls,
      stores: this.stores,
    };
  }

  /** One rpc of the gater API, timed for status. */
  async rpc(fun: string, args: Term[], timeoutMs: number): Promise<Term> {
    const t0 = performance.now();
    const reply = await rpcCall(this.conn, GATER_API, fun, args, timeoutMs);
    const ms = performance.now() - t0;
    this.calls++;
    this.lastCallMs = ms;
    this.avgCallMs = this.avgCallMs === null ? ms : this.avgCallMs * 0.9 + ms * 0.1;
    return reply;
  }

  /**
   * One request of the protocol, translated to an ExESDB.GaterAPI rpc. The reply is built from Erlang terms by the
   * converters below, so it is taken as the protocol's result type here, at the edge of the translation.
   */
  request<K extends Op>(op: K, args: OpRequest<K>, timeoutMs: number): Promise<OpResult<K>> {
    return this.translate(op, args, timeoutMs) as Promise<OpResult<K>>;
  }

  private async translate(op: Op, args: RequestArgs, timeoutMs: number): Promise<unknown> {
    if (this.closed) throw new GaterError('connection_closed', `link to ${this.node} is closed`, { node: this.node });
    const store = atom(args.store);
    const a = args as Record<string, unknown>;
    const bin = (k: string): Buffer => Buffer.from(String(a[k]), 'utf8');
    const call = async (fun: string, terms: Term[], onError?: (r: Term) => GaterError | undefined) =>
      okValue(this.node, `${fun}/${terms.length}`, await this.rpc(fun, terms, timeoutMs), onError);
    switch (op) {
      case 'append':
        return this.append(
          args.store,
          String(a.streamId),
          a.events as readonly NewEvent[],
          a.expectedVersion,
          timeoutMs,
        );
      case 'read': {
        const v = await call(
          'get_events',
          [store, bin('streamId'), a.startVersion as number, a.count as number, atom(String(a.direction))],
          readError,
        );
        return (v as Term[]).map(recordFromTerm);
      }
      case 'getVersion':
        return call('get_version', [store, bin('streamId')]);
      case 'getStreams':
        return ((await call('get_streams', [store])) as Term[]).map((s) => String(termToJson(s)));
      case 'headPosition':
        // ExESDB numbers events per stream only; there is no store-wide head (non-stream views are live-only).
        return -1;
      case 'listStores':
        return this.stores.map((s) => ({ store: s, node: this.node }));
      case 'ping':
        return { node: this.node };
      case 'getSubscriptions':
        return this.getSubscriptions(args.store, await call('get_subscriptions', [store]), timeoutMs);
      case 'removeSubscription':
        await this.rpc(
          'remove_subscription',
          [store, atom(String(a.type)), this.selectorTerm(a.type as SubscriptionType, a.selector), bin('name')],
          timeoutMs,
        );
        return undefined;
      case 'subscribe':
      case 'unsubscribe':
      case 'ack':
      case 'nack':
        return this.subs.request(this, op, args, timeoutMs);
      case 'readAll':
        throw unsupported(
          op,
          'ExESDB numbers events per stream only and has no store-wide order; export or read one stream at a time',
        );
      case 'listParked':
      case 'replayParked':
      case 'skipParked':
      case 'resetSubscription':
      case 'deleteSubscription':
        throw unsupported(
          op,
          "parked events and subscription control are this tool's own node features; ExESDB's gater API has none (remove a subscription with its own tools)",
        );
      case 'correlated': {
        // ExESDB keeps no correlation index and no store-wide position: every stream is read and filtered here,
        // all in one answer (a later page is empty). Fine for a dev cluster; slow on a large store.
        if (typeof a.afterPosition === 'number' && a.afterPosition >= 0) return [];
        const keys = new Set(a.keys as string[]);
        const out: EventRecord[] = [];
        const streams = ((await call('get_streams', [store])) as Term[]).map((s) => String(termToJson(s)));
        for (const stream of streams)
          for (let from = 0; ; from += BEAM_SCAN_PAGE) {
            const page = (
              (await call(
                'get_events',
                [store, Buffer.from(stream, 'utf8'), from, BEAM_SCAN_PAGE, atom('forward')],
                readError,
              )) as Term[]
            ).map(recordFromTerm);
            for (const r of page) if (matchesKeys(r, keys)) out.push(r);
            if (page.length < BEAM_SCAN_PAGE) break;
          }
        return out.sort((x, y) => x.createdEpoch - y.createdEpoch);
      }
      case 'recordSnapshot': {
        const now = Date.now() * 1000;
        // Stored as ExESDB's %SnapshotRecord{} so Elixir readers see the struct they expect.
        const rec = termMap([
          [atom('__struct__'), atom('Elixir.ExESDB.Schema.SnapshotRecord')],
          [atom('source_uuid'), bin('sourceUuid')],
          [atom('source_version'), a.version as number],
          [atom('source_type'), Buffer.from('ex_esdb_console')],
          [atom('data'), jsonToTerm(a.record)],
          [atom('metadata'), atom('nil')],
          [atom('created_at'), isoDateTime(now)],
          [atom('created_epoch'), Math.floor(now / 1000)],
        ]);
        okValue(
          this.node,
          'record_snapshot',
          await this.rpc(
            'record_snapshot',
            [store, bin('sourceUuid'), bin('streamUuid'), a.version as number, rec],
            timeoutMs,
          ),
        );
        return undefined;
      }
      case 'readSnapshot': {
        const v = await call(
          'read_snapshot',
          [store, bin('sourceUuid'), bin('streamUuid'), a.version as number],
          (r) =>
            r instanceof Tuple && r.elements[1] instanceof Atom && r.elements[1].name === 'node_not_found'
              ? new GaterError(
                  'not_found',
                  `no snapshot ${String(a.sourceUuid)}/${String(a.streamUuid)}@${String(a.version)}; list snapshots to see what exists`,
                )
              : undefined,
        );
        return snapshotFromTerm(String(a.sourceUuid), String(a.streamUuid), a.version as number, v);
      }
      case 'deleteSnapshot':
        okValue(
          this.node,
          'delete_snapshot',
          await this.rpc(
            'delete_snapshot',
            [store, bin('sourceUuid'), bin('streamUuid'), a.version as number],
            timeoutMs,
          ),
        );
        return undefined;
      case 'listSnapshots': {
        // list_snapshots(S, any, Stream) crashes ExESDB's reader: ask for everything and filter here.
        const src = String(a.sourceUuid);
        const stream = String(a.streamUuid);
        const args3: Term[] = [
          store,
          src === 'any' ? atom('any') : bin('sourceUuid'),
          src === 'any' ? atom('any') : stream === 'any' ? atom('any') : bin('streamUuid'),
        ];
        const v = await call('list_snapshots', args3);
        const out: SnapshotRecord[] = [];
        for (const [k, rec] of v instanceof TermMap ? v.entries : []) {
          if (!Array.isArray(k) || k.length !== 4) continue;
          const [, s, st, pad] = k as Term[];
          const sUuid = String(termToJson(s!));
          const stUuid = String(termToJson(st!));
          if (stream !== 'any' && stUuid !== stream) continue;
          out.push(snapshotFromTerm(sUuid, stUuid, Number(termToJson(pad!)), rec));
        }
        return out.sort((x, y) => x.version - y.version);
      }
      default: {
        // Every op of the protocol is translated or refused above: a new one fails to compile here.
        const unhandled: never = op;
        throw unsupported(unhandled, 'not translated for ExESDB');
      }
    }
  }

  private async append(
    store: string,
    streamId: string,
    events: readonly NewEvent[],
    expected: unknown,
    timeoutMs: number,
  ): Promise<number> {
    // -1 / no_stream as the integer -1: ExESDB has no no_stream clause (the worker would crash), but current
    // must then equal -1, which is the same check.
    const exp: Term =
      expected === 'any' || expected === undefined
        ? atom('any')
        : expected === 'stream_exists'
          ? atom('stream_exists')
          : expected === 'no_stream'
            ? -1
            : (expected as number);
    const terms = events.map(newEventToTerm);
    let reply: Term;
    try {
      reply = await this.rpc('append_events', [atom(store), Buffer.from(streamId), exp, terms], timeoutMs);
    } catch (e) {
      // Sent but unanswered: ExESDB does not deduplicate by event id, so a retry elsewhere could store it twice.
      if (e instanceof GaterError && e.code === 'connection_closed')
        throw new GaterError(
          'timeout',
          `lost the link to ${this.node} during an append: outcome unknown (ExESDB does not deduplicate by event id); read ${streamId} before re-sending`,
          { node: this.node, outcomeUnknown: true },
          { cause: e },
        );
      throw e;
    }
    return okValue(this.node, 'append_events/4', reply, appendError(expected)) as number;
  }

  /** Our selector as ExESDB's: by_stream/by_event_type binaries; pattern/payload maps. */
  selectorTerm(type: SubscriptionType, selector: unknown): Term {
    if (typeof selector === 'string') return Buffer.from(selector);
    if (type === 'by_event_pattern') return patternTerm(selector as Record<string, unknown>);
    return jsonToTerm(selector);
  }

  private async getSubscriptions(store: string, v: Term, timeoutMs: number): Promise<SubscriptionInfo[]> {
    const out: SubscriptionInfo[] = [];
    for (const [, s] of v instanceof TermMap ? v.entries : []) {
      const type = field(s, 'type');
      const name = String(termToJson(field(s, 'subscription_name') ?? atom('nil')) ?? 'transient');
      const selTerm = field(s, 'selector') ?? atom('nil');
      const selector =
        selTerm instanceof TermMap ? (termToJson(selTerm) as Record<string, unknown>) : String(termToJson(selTerm));
      const subscriber = field(s, 'subscriber');
      const sf = field(s, 'start_from');
      const checkpoint = typeof sf === 'number' ? sf : 0;
      const t = (type instanceof Atom ? type.name : 'by_stream') as SubscriptionType;
      // ExESDB keeps no delivery state: for a stream subscription lag is the stream's head minus the checkpoint
      // and in-flight what this gateway delivered past it; elsewhere they are unknown (-1). Nothing is ever parked.
      let lag = -1;
      let inFlight = -1;
      if (t === 'by_stream' && typeof selector === 'string' && selector.startsWith('$') && selector !== '$all') {
        const version = okValue(
          this.node,
          'get_version',
          await this.rpc('get_version', [atom(store), Buffer.from(selector.slice(1))], timeoutMs),
        );
        if (typeof version === 'number') lag = Math.max(0, version + 1 - checkpoint);
        const delivered = this.subs.delivered(store, name);
        inFlight = delivered === undefined ? 0 : Math.max(0, delivered + 1 - checkpoint);
      }
      out.push({
        type: t,
        selector,
        name,
        startFrom: checkpoint,
        topic: `${store}:${exesdbTopic(t, name, selector)}`,
        persistent: name !== 'transient',
        active: subscriber instanceof Pid || this.subs.delivered(store, name) !== undefined,
        checkpoint,
        inFlight,
        parked: 0,
        lag,
      });
    }
    return out;
  }

  onPush(cb: (sub: string, events: EventRecord[]) => void): void {
    this.pushListeners.push(cb);
  }

  /** Hands a subscription's events to the gateway (called by BeamSubscriptions for subs this link serves). */
  push(subId: string, events: EventRecord[]): void {
    for (const l of this.pushListeners) l(subId, events);
  }

  onUpdate(cb: (a: NodeAnnouncement) => void): void {
    this.updateListeners.push(cb);
  }

  onClose(cb: (reason: string) => void): void {
    this.conn.onClose(cb);
  }

  close(): void {
    this.conn.close('closed by the gateway');
  }
}

/** Our pattern keys are EventRecord field names; ExESDB's records have snake_case atom keys. */
function patternTerm(p: Record<string, unknown>): Term {
  return termMap(
    Object.entries(p).map(([k, v]) => [atom(k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)), jsonToTerm(v)]),
  );
}

function snapshotFromTerm(sourceUuid: string, streamUuid: string, version: number, t: Term): SnapshotRecord {
  const isOurs =
    field(t, '__struct__') instanceof Atom &&
    (field(t, '__struct__') as Atom).name === 'Elixir.ExESDB.Schema.SnapshotRecord';
  return {
    sourceUuid,
    streamUuid,
    version,
    record: isOurs ? termToJson(field(t, 'data') ?? atom('nil')) : termToJson(t),
    created: (isOurs ? dateTimeToIso(field(t, 'created_at')) : undefined) ?? '',
  };
}
