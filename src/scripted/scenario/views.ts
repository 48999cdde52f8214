import { toGaterError, type EventRecord, type GaterApi, type Subscription } from '../../core/index.js';
import { selectorFromFlags, type SubscriptionTarget } from '../selectors.js';
import { ExpectationFailed } from './expectations.js';
import type { ObserveStep, SubscribeStep } from './types.js';

/** An observer or subscriber a scenario started: what it received and acked. */
export interface View {
  id: string;
  kind: 'observer' | 'subscriber';
  target: SubscriptionTarget;
  name: string;
  events: EventRecord[];
  /** Received by a manual-ack subscriber and not yet acked or nacked by a step. */
  pending: EventRecord[];
  acked: number;
  autoAck: boolean;
  ackErrors: string[];
  sub: Subscription;
  /** Takes events off the subscription (and auto-acks them, in order) until it ends. */
  pump: Promise<void>;
}

/** The observers and subscribers of one scenario run, by the id its steps use. */
export class Views {
  private readonly byId = new Map<string, View>();

  constructor(
    private readonly api: GaterApi,
    private readonly store: string,
  ) {}

  /** The running view `id` (of `kind`, if given); a missing one fails the step that asked. */
  get(id: string, kind?: View['kind']): View {
    const v = this.byId.get(id);
    if (!v)
      throw new ExpectationFailed(
        `no running observer or subscriber "${id}"; start it with an observe or subscribe step first`,
      );
    if (kind && v.kind !== kind) throw new ExpectationFailed(`"${id}" is an ${v.kind}, not a ${kind}`);
    return v;
  }

  /** Subscribes for an observe or subscribe step and starts taking its events; returns the report text. */
  async start(step: ObserveStep | SubscribeStep): Promise<string> {
    if (this.byId.has(step.id)) throw new ExpectationFailed(`a view "${step.id}" is already running; pick another id`);
    const target = selectorFromFlags(step);
    let from: number;
    if (step.step === 'observe')
      from = step.from ?? (await this.api.liveStart(this.store, target.type, target.selector));
    else from = step.from ?? 0;
    const options =
      step.step === 'subscribe'
        ? {
            ...(step.ackTimeoutMs !== undefined ? { ackTimeoutMs: step.ackTimeoutMs } : {}),
            ...(step.maxRetries !== undefined ? { maxRetries: step.maxRetries } : {}),
          }
        : undefined;
    const name = step.step === 'subscribe' ? step.name : 'transient';
    const sub = await this.api.subscribe(this.store, target.type, target.selector, { name, startFrom: from, options });
    const view: View = {
      id: step.id,
      kind: step.step === 'observe' ? 'observer' : 'subscriber',
      target,
      name,
      events: [],
      pending: [],
      acked: 0,
      autoAck: step.step === 'subscribe' && step.ack !== false,
      ackErrors: [],
      sub,
      pump: Promise.resolve(),
    };
    view.pump = pump(view);
    this.byId.set(step.id, view);
    return `topic ${sub.topic}, from ${from}`;
  }

  /** Closes view `id` and waits until its last event is taken; `remove` also deletes its subscription. */
  async stop(id: string, remove: boolean): Promise<void> {
    const v = this.get(id);
    await v.sub.close();
    await v.pump;
    this.byId.delete(id);
    if (remove) await this.api.removeSubscription(this.store, v.target.type, v.target.selector, v.name);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.byId.values()].map((v) => v.sub.close().then(() => v.pump)));
    this.byId.clear();
  }
}

/** Received, then acknowledged, one event at a time (the same order as scripted subscribe and the console). */
async function pump(view: View): Promise<void> {
  for await (const e of view.sub) {
    view.events.push(e);
    if (view.kind !== 'subscriber') continue;
    if (!view.autoAck) {
      view.pending.push(e);
      continue;
    }
    try {
      await view.sub.ack(e);
      view.acked++;
    } catch (err) {
      view.ackErrors.push(toGaterError(err).message);
    }
  }
  const ended = await view.sub.closed();
  if (ended) view.ackErrors.push(`the subscription ended: ${ended.message}`);
}
