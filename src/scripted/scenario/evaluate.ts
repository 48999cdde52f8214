import type { EventRecord, GaterApi } from '../../core/index.js';
import { checkCount, checkMatches, ExpectationFailed } from './expectations.js';
import {
  DEFAULT_WITHIN_MS,
  type ExpectOutcomes,
  type ExpectStep,
  type ExpectStream,
  type ExpectSubscription,
  type ExpectView,
} from './types.js';
import type { Views } from './views.js';

/** How an append step named with `as` ended, for `expect outcomes`. */
export interface Outcome {
  ok: boolean;
  version?: number;
  code?: string;
  message?: string;
}

/** What an expectation looks at: the gateway, the run's views and the recorded append outcomes. */
export interface EvaluationContext {
  api: GaterApi;
  store: string;
  views: Views;
  outcomes: ReadonlyMap<string, Outcome>;
}

interface Evaluation {
  /** One text per condition that does not hold; empty when the expectation holds. */
  failures: string[];
  /** What was observed, for the report either way. */
  seen: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Evaluates an expectation, retrying for `within` ms (async effects such as checkpoints settle); returns what it
 * saw, or throws ExpectationFailed naming every condition that still does not hold.
 */
export async function expectWithin(ctx: EvaluationContext, step: ExpectStep): Promise<string> {
  const within =
    'within' in step && step.within !== undefined ? step.within : 'outcomes' in step ? 0 : DEFAULT_WITHIN_MS;
  const deadline = Date.now() + within;
  for (;;) {
    const { failures, seen } = await evaluate(ctx, step);
    if (failures.length === 0) return seen;
    if (Date.now() >= deadline) throw new ExpectationFailed(failures.join('; '), { observed: seen });
    await sleep(20);
  }
}

async function evaluate(ctx: EvaluationContext, step: ExpectStep): Promise<Evaluation> {
  if ('outcomes' in step) return evaluateOutcomes(ctx, step);
  if ('subscription' in step) return evaluateSubscription(ctx, step);
  if ('stream' in step) return evaluateStream(ctx, step);
  return evaluateView(ctx, step);
}

const holds = (xs: (string | undefined)[]): string[] => xs.filter((x): x is string => x !== undefined);

function evaluateView(ctx: EvaluationContext, step: ExpectView): Evaluation {
  const v = ctx.views.get((step.observer ?? step.subscriber)!);
  const failures = holds([
    checkCount('count', step.count, v.events.length),
    checkCount('acked', step.acked, v.acked),
    ...checkMatches(v.events, step),
    ...v.ackErrors.map((m) => `an ack failed: ${m}`),
  ]);
  return { failures, seen: `${v.events.length} event(s)${v.kind === 'subscriber' ? `, ${v.acked} acked` : ''}` };
}

async function evaluateStream(ctx: EvaluationContext, step: ExpectStream): Promise<Evaluation> {
  const version = await ctx.api.getVersion(ctx.store, step.stream);
  const failures = [checkCount('version', step.version, version)];
  let n = version + 1;
  if (step.events !== undefined || step.every || step.some || step.none) {
    const events: EventRecord[] = [];
    if (version >= 0)
      for await (const e of ctx.api.streamForward(ctx.store, step.stream, 0, version + 1)) events.push(e);
    n = events.length;
    failures.push(checkCount('events', step.events, events.length), ...checkMatches(events, step));
  }
  return { failures: holds(failures), seen: `version ${version}, ${n} event(s)` };
}

async function evaluateSubscription(ctx: EvaluationContext, step: ExpectSubscription): Promise<Evaluation> {
  const all = await ctx.api.getSubscriptions(ctx.store);
  const info = all.find((s) => s.name === step.subscription && s.persistent);
  if (!info) {
    const failures = step.exists === false ? [] : [`no persistent subscription named "${step.subscription}"`];
    return { failures, seen: 'absent' };
  }
  const failures = holds([
    step.exists === false ? `subscription "${step.subscription}" should not exist, but it does` : undefined,
    checkCount('checkpoint', step.checkpoint, info.checkpoint),
    checkCount('inFlight', step.inFlight, info.inFlight),
    checkCount('parked', step.parked, info.parked),
    checkCount('lag', step.lag, info.lag),
  ]);
  return {
    failures,
    seen: `checkpoint ${info.checkpoint}, inFlight ${info.inFlight}, parked ${info.parked}, lag ${info.lag}`,
  };
}

function evaluateOutcomes(ctx: EvaluationContext, step: ExpectOutcomes): Evaluation {
  const missing = step.outcomes.filter((n) => !ctx.outcomes.has(n));
  if (missing.length)
    return {
      failures: [`no outcome recorded as ${missing.map((m) => `"${m}"`).join(', ')} (give the append steps "as")`],
      seen: '',
    };
  const list = step.outcomes.map((n) => ctx.outcomes.get(n)!);
  const ok = list.filter((o) => o.ok).length;
  const codes: Record<string, number> = {};
  for (const o of list) if (!o.ok) codes[o.code!] = (codes[o.code!] ?? 0) + 1;
  const failures = [checkCount('succeeded', step.succeeded, ok), checkCount('failed', step.failed, list.length - ok)];
  for (const [code, c] of Object.entries(step.errors ?? {}))
    failures.push(checkCount(`errors ${code}`, c, codes[code] ?? 0));
  const seen = `${ok} succeeded${Object.entries(codes)
    .map(([c, n]) => `, ${n} ${c}`)
    .join('')}`;
  return { failures: holds(failures), seen };
}
