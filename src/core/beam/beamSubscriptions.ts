/**
 * Live events from an ExESDB cluster without loading code there (BEAM_BRIDGE.md §2): every BeamLink is a pg peer
 * in the ex_esdb_events adapter group, so the leader's emitters broadcast `{forward_to_local, Topic, {events, [R]}}`
 * to us. Transient views (observers, the monitor) listen on the `$all` topic every store always emits and filter
 * here with our own matcher (so they add no state to the cluster and keep our pattern semantics, `_` included);
 * a named subscription is saved in ExESDB and listened to on its own topic. Stream views replay their history
 * from `startFrom` with `get_events`, then continue live without gaps or repeats.
 */
import { GaterError } from '../errors.js';
import type { LogFn } from '../log.js';
import type { LooseRequest as RequestArgs, Op } from '../wire/ops.js';
import { makeFilter, streamOfSelector } from '../matching.js';
import type { EventRecord, Selector, SubscriptionType } from '../types.js';
import { Atom, TermMap, atom, termEquals, type Term } from '../wire/etf.js';
import type { BeamLink, LinkSubscriptions } from './beamLink.js';
import { rpcCall } from './rpc.js';
import { field, recordFromTerm } from './records.js';
import { okValue } from './replies.js';
import { exesdbTopic } from './topics.js';

const PAGE = 500;
const SEEN_LIMIT = 10_000;

interface BeamSub {
  subId: string;
  store: string;
  type: SubscriptionType;
  name: string;
  /** The stream of a `$<stream>` subscription (versions are its positions). */
  stream: string | undefined;
  topic: string;
  owner: BeamLink;
  filter: (r: EventRecord) => boolean;
  replaying: boolean;
  buffer: EventRecord[];
  lastNumber: number;
  seen: Set<string>;
  /** eventNumber -> stream of recent deliveries, so an ack (which carries only numbers) finds its stream. */
  streams: Map<number, string>;
}

export class BeamSubscriptions implements LinkSubscriptions {
  private readonly subs = new Map<string, BeamSub>();

  constructor(private readonly log: LogFn = () => {}) {}

  /** subscribe | unsubscribe | ack | nack for a link. */
  async request(link: BeamLink, op: Op, args: RequestArgs, timeoutMs: number): Promise<unknown> {
    const a = args as Record<string, unknown>;
    switch (op) {
      case 'subscribe':
        return this.subscribe(link, args.store, a, timeoutMs);
      case 'unsubscribe':
        return this.unsubscribe(String(a.subId));
      case 'ack':
        return this.ack(link, args.store, a, timeoutMs);
      case 'nack':
        throw new GaterError(
          'invalid_argument',
          'ExESDB has no nack (no redelivery or parking API): ack the event, or leave it unacked to see it again after a reconnect',
        );
      default:
        throw new GaterError('internal', `not a subscription op: ${op}`);
    }
  }

  private async subscribe(link: BeamLink, store: string, a: Record<string, unknown>, timeoutMs: number) {
    const type = a.type as SubscriptionType;
    const selector = a.selector as Selector;
    const name = String(a.name);
    const startFrom = Number(a.startFrom ?? 0);
    const stream = streamOfSelector(type, selector);
    let topic = `${store}:$all`;
    if (name !== 'transient') {
      // A persistent subscription is cluster state by the user's choice: save it, listen on its topic.
      const selTerm = link.selectorTerm(type, selector);
      let hash = '?';
      if (typeof selector !== 'string') {
        const h = await rpcCall(link.conn, 'erlang', 'phash2', [selTerm], timeoutMs);
        hash = typeof h === 'number' ? h.toString(16).toUpperCase() : '?';
      }
      topic = `${store}:${exesdbTopic(type, name, selector, hash)}`;
      if (!(await this.findExisting(link, store, type, selTerm, name, timeoutMs))) {
        okValue(
          link.node,
          'save_subscription',
          await link.rpc(
            'save_subscription',
            [atom(store), atom(type), selTerm, Buffer.from(name), startFrom, atom('nil')],
            timeoutMs,
          ),
        );
        await this.awaitSaved(link, store, type, selTerm, name, timeoutMs);
      }
    }
    const sub: BeamSub = {
      subId: String(a.subId),
      store,
      type,
      name,
      stream,
      topic,
      owner: link,
      filter: makeFilter(type, selector),
      replaying: stream !== undefined,
      buffer: [],
      lastNumber: stream !== undefined ? startFrom - 1 : -1,
      seen: new Set(),
      streams: new Map(),
    };
    this.subs.set(sub.subId, sub);
    if (stream === undefined && startFrom > 0)
      this.log('info', `🔗 [BEAM] ${sub.topic}: ExESDB has no store-wide position; this view is live-only`);
    if (stream !== undefined) void this.replay(sub, startFrom, timeoutMs);
    return { topic: sub.topic };
  }

  /** The gateway-side state of a stream subscription served here: what was delivered (for inFlight). */
  delivered(store: string, name: string): number | undefined {
    for (const s of this.subs.values())
      if (s.store === store && s.name === name && s.stream !== undefined) return s.lastNumber;
    return undefined;
  }

  private async findExisting(
    link: BeamLink,
    store: string,
    type: SubscriptionType,
    sel: Term,
    name: string,
    timeoutMs: number,
  ) {
    const v = okValue(link.node, 'get_subscriptions', await link.rpc('get_subscriptions', [atom(store)], timeoutMs));
    if (!(v instanceof TermMap)) return false;
    return v.entries.some(([, s]) => {
      const t = field(s, 'type');
      const n = field(s, 'subscription_name');
      const sl = field(s, 'selector');
      return (
        t instanceof Atom &&
        t.name === type &&
        n instanceof Uint8Array &&
        Buffer.from(n).toString() === name &&
        sl !== undefined &&
        termEquals(sl, sel)
      );
    });
  }

  /** save_subscription is a cast: wait until the cluster lists it, so events appended next are emitted. */
  private async awaitSaved(
    link: BeamLink,
    store: string,
    type: SubscriptionType,
    sel: Term,
    name: string,
    timeoutMs: number,
  ) {
    const deadline = Date.now() + Math.min(timeoutMs, 3000);
    while (Date.now() < deadline) {
      if (await this.findExisting(link, store, type, sel, name, timeoutMs)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    this.log('warn', `🔗 [BEAM] ${link.node} does not list the subscription yet; events may start late`);
  }

  /** Stream history from startFrom, then the live events that arrived meanwhile, without gaps or repeats. */
  private async replay(sub: BeamSub, from: number, timeoutMs: number): Promise<void> {
    try {
      let pos = from;
      for (;;) {
        if (!this.subs.has(sub.subId)) return;
        const v = okValue(
          sub.owner.node,
          'get_events',
          await sub.owner.rpc(
            'get_events',
            [atom(sub.store), Buffer.from(sub.stream!), pos, PAGE, atom('forward')],
            timeoutMs,
          ),
        );
        const records = (v as Term[]).map(recordFromTerm);
        this.emit(sub, records);
        if (records.length < PAGE) break;
        pos += PAGE;
      }
    } catch (e) {
      this.log('error', `🔗 [BEAM] replay of ${sub.topic} failed: ${(e as Error).message}`);
    }
    sub.replaying = false;
    const buffered = sub.buffer.splice(0);
    this.emit(sub, buffered);
  }

  private emit(sub: BeamSub, records: EventRecord[]): void {
    const fresh: EventRecord[] = [];
    for (const r of records) {
      if (!sub.filter(r)) continue;
      if (sub.stream !== undefined) {
        if (r.eventNumber <= sub.lastNumber) continue;
        sub.lastNumber = r.eventNumber;
      } else {
        if (sub.seen.has(r.eventId)) continue;
        sub.seen.add(r.eventId);
        if (sub.seen.size > SEEN_LIMIT) sub.seen.delete(sub.seen.values().next().value!);
      }
      sub.streams.set(r.eventNumber, r.eventStreamId);
      if (sub.streams.size > SEEN_LIMIT) sub.streams.delete(sub.streams.keys().next().value!);
      fresh.push(r);
    }
    if (fresh.length > 0 && !sub.owner.closed) sub.owner.push(sub.subId, fresh);
  }

  /** A broadcast reached one of our pg members (from whichever node emits). */
  onBroadcast(topic: string, terms: Term[]): void {
    let records: EventRecord[] | undefined;
    for (const sub of this.subs.values()) {
      if (sub.topic !== topic) continue;
      try {
        records ??= terms.map(recordFromTerm);
      } catch (e) {
        this.log('warn', `🔗 [BEAM] dropped a malformed broadcast on ${topic}: ${(e as Error).message}`);
        return;
      }
      if (sub.replaying) sub.buffer.push(...records);
      else this.emit(sub, records);
    }
  }

  private async unsubscribe(subId: string): Promise<void> {
    // Transient views added nothing to the cluster; a named subscription stays until removeSubscription.
    this.subs.delete(subId);
  }

  private async ack(link: BeamLink, store: string, a: Record<string, unknown>, timeoutMs: number): Promise<void> {
    const sub = this.subs.get(String(a.subId));
    const ev = a.event as { eventNumber: number };
    const stream = sub?.stream ?? sub?.streams.get(ev.eventNumber);
    if (stream === undefined) throw new GaterError('not_found', 'ack of an event this gateway did not deliver');
    // ExESDB keeps the checkpoint by re-saving the subscription; subscriber nil keeps delivery on the topic
    // (a pid of ours would crash the emitter: it calls Process.alive?/1 on it).
    const event = new TermMap([
      [atom('event_stream_id'), Buffer.from(stream)],
      [atom('event_number'), ev.eventNumber],
    ]);
    okValue(
      link.node,
      'ack_event',
      await link.rpc('ack_event', [atom(store), Buffer.from(String(a.name)), atom('nil'), event], timeoutMs),
    );
  }

  /** Subscriptions served by a link that closed: the gateway re-establishes them elsewhere. */
  dropLink(link: BeamLink): void {
    for (const [id, s] of this.subs) if (s.owner === link) this.subs.delete(id);
  }

  /** Topic names in use, for status. */
  topics(): string[] {
    return [...new Set([...this.subs.values()].map((s) => s.topic))];
  }
}
