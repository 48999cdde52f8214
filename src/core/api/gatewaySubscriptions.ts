import { newId } from '../ids.js';
import { streamOfSelector, topicFor } from '../matching.js';
import type { GaterError } from '../errors.js';
import type { NodeLink } from '../link.js';
import type { EventRecord, Selector, Subscriber, SubscriptionOptions, SubscriptionType } from '../types.js';
import type { PubSub } from './pubsub.js';

/** The gateway's record of one subscription it asked a node for. */
export interface GatewaySub {
  subId: string;
  store: string;
  type: SubscriptionType;
  selector: Selector;
  name: string;
  startFrom: number;
  options: SubscriptionOptions | undefined;
  subscriber: Subscriber | undefined;
  topic: string;
  /** The node currently serving it (undefined while being re-established). */
  link: NodeLink | undefined;
  /** True once `link` confirmed the subscription (acks sent before that would find nothing there). */
  attached: boolean;
  /** Last delivered position (stream version for `$<stream>`, global otherwise). */
  lastPos: number | undefined;
  /** Delivered and not yet acked (persistent only): where a failover resumes. */
  unacked: Set<number>;
  closed: boolean;
  /** Told once when the subscription ends for good without being closed (it could not be re-established). */
  onEnd: ((reason: GaterError) => void) | undefined;
}

/**
 * Gateway-side table of subscriptions: routes pushes to the subscriber callback or the pubsub topic, and
 * knows where each one should resume if its node goes away.
 */
export class GatewaySubscriptions {
  private readonly subs = new Map<string, GatewaySub>();

  constructor(
    private readonly pubsub: PubSub,
    private readonly onSubscriberError: (e: unknown) => void,
  ) {}

  create(spec: {
    store: string;
    type: SubscriptionType;
    selector: Selector;
    name: string;
    startFrom: number;
    options?: SubscriptionOptions;
    subscriber?: Subscriber;
    onEnd?: (reason: GaterError) => void;
  }): GatewaySub {
    const sub: GatewaySub = {
      subId: newId(),
      ...spec,
      options: spec.options,
      subscriber: spec.subscriber,
      topic: topicFor(spec.store, spec.type, spec.name, spec.selector),
      link: undefined,
      attached: false,
      lastPos: undefined,
      unacked: new Set(),
      closed: false,
      onEnd: spec.onEnd,
    };
    this.subs.set(sub.subId, sub);
    return sub;
  }

  get(subId: string): GatewaySub | undefined {
    return this.subs.get(subId);
  }

  all(): GatewaySub[] {
    return [...this.subs.values()];
  }

  delete(subId: string): void {
    const s = this.subs.get(subId);
    if (s) s.closed = true;
    this.subs.delete(subId);
  }

  /** Named subscription matching `name` (and `subscriber` when given). */
  findNamed(store: string, name: string, subscriber?: unknown): GatewaySub | undefined {
    let fallback: GatewaySub | undefined;
    for (const s of this.subs.values()) {
      if (s.store !== store || s.name !== name) continue;
      if (subscriber === undefined || s.subscriber === subscriber) return s;
      fallback ??= s;
    }
    return subscriber === undefined ? fallback : undefined;
  }

  private pos(sub: GatewaySub, r: EventRecord): number {
    return streamOfSelector(sub.type, sub.selector) === undefined ? r.position : r.eventNumber;
  }

  /** A push from a node. Pushes from a link that no longer serves the subscription are dropped. */
  deliver(link: NodeLink, subId: string, events: EventRecord[]): void {
    const sub = this.subs.get(subId);
    if (!sub || sub.closed || sub.link !== link || events.length === 0) return;
    const persistent = sub.name !== 'transient';
    for (const r of events) {
      const p = this.pos(sub, r);
      if (persistent) sub.unacked.add(p);
      if (sub.lastPos === undefined || p > sub.lastPos) sub.lastPos = p;
    }
    if (sub.subscriber) {
      try {
        sub.subscriber(events);
      } catch (e) {
        this.onSubscriberError(e);
      }
    } else {
      this.pubsub.publish(sub.topic, { events });
    }
  }

  acked(sub: GatewaySub, event: EventRecord): void {
    sub.unacked.delete(this.pos(sub, event));
  }

  /** Where to resume after the serving node died: the oldest unacked event, else just after the last delivered. */
  resumeFrom(sub: GatewaySub): number {
    let min: number | undefined;
    for (const p of sub.unacked) if (min === undefined || p < min) min = p;
    if (min !== undefined) return min;
    return sub.lastPos === undefined ? sub.startFrom : sub.lastPos + 1;
  }
}
