import { ulid } from 'ulid';
import {
  plural,
  toGaterError,
  type EventRecord,
  type GaterApi,
  type NewEvent,
  type Subscription,
} from '../../core/index.js';
import { generateGreenhouseEvents } from '../../domain/greenhouse/index.js';
import { toNewEvent } from '../eventInput.js';
import { runProducers } from '../produce.js';
import { selectorFromFlags, type SubscriptionTarget } from '../selectors.js';
import { UNAVAILABLE_CODES } from '../unavailable.js';
import { checkCount, checkMatches, describeCount, describeMatch } from './expectations.js';
import { instantiate } from './parse.js';
import type {
  AppendStep,
  ExpectOutcomes,
  ExpectStep,
  ExpectStream,
  ExpectSubscription,
  ExpectView,
  ProduceStep,
  Scenario,
  ScenarioResult,
  Step,
  StepResult,
  WaitStep,
} from './types.js';

export interface RunScenarioOptions {
  store: string;
  /** Replaces `{{run}}` (default: a fresh short id). */
  runId?: string;
  file?: string;
  /** Called as each step finishes (for a live report). */
  onStep?: (r: StepResult) => void;
}

/** An observer or subscriber a scenario started: what it received and acked. */
interface View {
  id: string;
  kind: 'observer' | 'subscriber';
  target: SubscriptionTarget;
  name: string;
  events: EventRecord[];
  pending: EventRecord[];
  acked: number;
  autoAck: boolean;
  ackErrors: string[];
  sub: Subscription;
  /** Takes events off the subscription (and auto-acks them, in order) until it ends. */
  pump: Promise<void>;
}

interface Outcome {
  ok: boolean;
  version?: number;
  code?: string;
  message?: string;
}

/** A failed expectation: the step fails, the scenario goes on. */
class ExpectationFailed extends Error {
  override readonly name = 'ExpectationFailed';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const DEFAULT_WAIT_MS = 5000;
const DEFAULT_WITHIN_MS = 1000;

/**
 * Runs a scenario's steps in order on one gateway. Failed expectations fail their step and the run goes on (so
 * the report lists every one); an action that fails unexpectedly stops the run and the rest is skipped.
 */
export async function runScenario(
  api: GaterApi,
  scenario: Scenario,
  options: RunScenarioOptions,
): Promise<ScenarioResult> {
  const runId = options.runId ?? ulid().slice(-8).toLowerCase();
  const s = instantiate(scenario, { run: runId });
  const ctx = new ScenarioContext(api, options.store);
  const results: StepResult[] = [];
  const started = Date.now();
  let abortedBy: string | undefined;
  const emit = (r: StepResult) => {
    results.push(r);
    options.onStep?.(r);
  };
  try {
    for (let i = 0; i < s.steps.length; i++) {
      const step = s.steps[i]!;
      const index = String(i + 1);
      if (abortedBy !== undefined) {
        emit({ index, kind: step.step, description: describeStep(step), status: 'skip', ms: 0 });
        continue;
      }
      if (step.step === 'parallel') {
        const t0 = Date.now();
        const inner = await Promise.all(step.steps.map((x, j) => ctx.runStep(x, `${index}.${j + 1}`)));
        const failed = inner.filter((r) => r.status === 'fail');
        emit({
          index,
          kind: 'parallel',
          description: `run ${step.steps.length} steps at once`,
          status: failed.length ? 'fail' : 'pass',
          ms: Date.now() - t0,
          ...(failed.length ? { message: `${failed.length} of ${inner.length} parallel steps failed` } : {}),
        });
        inner.forEach(emit);
        abortedBy = inner.find((r) => r.details?.aborted)?.details?.code as string | undefined;
        continue;
      }
      const r = await ctx.runStep(step, index);
      emit(r);
      if (r.details?.aborted) abortedBy = String(r.details.code);
    }
  } finally {
    await ctx.close();
  }
  return {
    scenario: s.name,
    file: options.file,
    passed: results.every((r) => r.status === 'pass'),
    steps: results,
    durationMs: Date.now() - started,
    ...(abortedBy !== undefined ? { abortedBy } : {}),
  };
}

class ScenarioContext {
  private readonly views = new Map<string, View>();
  private readonly outcomes = new Map<string, Outcome>();

  constructor(
    private readonly api: GaterApi,
    private readonly store: string,
  ) {}

  async runStep(step: Step, index: string): Promise<StepResult> {
    const t0 = Date.now();
    const base = { index, kind: step.step, description: (step as { label?: string }).label ?? describeStep(step) };
    try {
      const message = await this.exec(step);
      return { ...base, status: 'pass', ms: Date.now() - t0, ...(message ? { message } : {}) };
    } catch (e) {
      if (e instanceof ExpectationFailed)
        return { ...base, status: 'fail', ms: Date.now() - t0, message: e.message, details: e.details };
      const err = toGaterError(e);
      return {
        ...base,
        status: 'fail',
        ms: Date.now() - t0,
        message: `${err.code}: ${err.message}`,
        details: { aborted: true, code: err.code },
      };
    }
  }

  private async exec(step: Step): Promise<string | undefined> {
    switch (step.step) {
      case 'append':
        return this.append(step);
      case 'produce':
        return this.produce(step);
      case 'observe':
      case 'subscribe':
        return this.startView(step);
      case 'ack':
      case 'nack': {
        const v = this.view(step.id, 'subscriber');
        const n = Math.min(step.count ?? v.pending.length, v.pending.length);
        const batch = v.pending.splice(0, n);
        for (const e of batch) {
          if (step.step === 'ack') await v.sub.ack(e);
          else await v.sub.nack(e, step.action);
        }
        if (step.step === 'ack') v.acked += batch.length;
        if (step.count !== undefined && batch.length < step.count) {
          throw new ExpectationFailed(`only ${batch.length} of ${step.count} events were pending to ${step.step}`);
        }
        return `${batch.length} event(s)`;
      }
      case 'unsubscribe': {
        const v = this.view(step.id);
        await v.sub.close();
        await v.pump;
        this.views.delete(step.id);
        if (step.remove) await this.api.removeSubscription(this.store, v.target.type, v.target.selector, v.name);
        return undefined;
      }
      case 'wait':
        return this.wait(step);
      case 'expect':
        return this.expect(step);
      case 'parallel':
        throw new Error('parallel steps run from the top level');
    }
  }

  private async append(step: AppendStep): Promise<string> {
    let events: NewEvent[];
    if (step.events) events = step.events.map((e, i) => toNewEvent(e, `events[${i}]`));
    else {
      const v = await this.api.getVersion(this.store, step.stream);
      events = generateGreenhouseEvents(
        v,
        step.generate!,
        step.seed === undefined ? {} : { seed: `${step.seed}:${step.stream}:${v}` },
      );
    }
    const exp = step.expect ?? {};
    let version: number;
    try {
      version = await this.api.appendEvents(this.store, step.stream, events, step.expectedVersion ?? 'any');
    } catch (e) {
      const err = toGaterError(e);
      // An unreachable cluster is never an outcome under test: stop the run (exit 3) unless it is the expected error.
      if (UNAVAILABLE_CODES.has(err.code) && exp.error !== err.code) throw err;
      if (step.as) this.outcomes.set(step.as, { ok: false, code: err.code, message: err.message });
      if (exp.error !== undefined) {
        if (err.code === exp.error) return `refused as expected: ${err.code}`;
        throw new ExpectationFailed(`expected error ${exp.error}, got ${err.code}: ${err.message}`, { code: err.code });
      }
      if (exp.ok === true || exp.version !== undefined)
        throw new ExpectationFailed(`append failed: ${err.code}: ${err.message}`, { code: err.code });
      if (step.as) return `failed (${err.code}), recorded as "${step.as}"`;
      throw err;
    }
    if (step.as) this.outcomes.set(step.as, { ok: true, version });
    if (exp.error !== undefined)
      throw new ExpectationFailed(`expected error ${exp.error}, but the append succeeded (version ${version})`, {
        version,
      });
    if (exp.ok === false)
      throw new ExpectationFailed(`expected the append to fail, but it succeeded (version ${version})`, { version });
    const bad = checkCount('version', exp.version, version);
    if (bad) throw new ExpectationFailed(`expected ${bad}`, { version });
    return `version ${version}`;
  }

  private async produce(step: ProduceStep): Promise<string> {
    const summary = await runProducers(this.api, this.store, {
      producers: step.producers,
      batch: step.batch,
      periodMs: step.period ?? 20,
      events: step.events,
      durationMs: step.duration,
      prefix: step.prefix,
      seed: step.seed,
    });
    const text = `${plural(summary.events, 'event')} in ${plural(summary.appends, 'append')} (${summary.ratePerSec}/s)`;
    if (summary.events === 0 && summary.lastError)
      throw new ExpectationFailed(`no append succeeded: ${summary.lastError}`);
    const bad = checkCount('events', step.expect?.events, summary.events);
    if (bad) throw new ExpectationFailed(`expected ${bad}`, { events: summary.events });
    return text;
  }

  private async startView(step: Extract<Step, { step: 'observe' | 'subscribe' }>): Promise<string> {
    if (this.views.has(step.id)) throw new ExpectationFailed(`a view "${step.id}" is already running; pick another id`);
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
    // Received, then acknowledged, one event at a time (the same order as scripted subscribe and the console).
    view.pump = (async () => {
      for await (const e of sub) {
        view.events.push(e);
        if (view.kind !== 'subscriber') continue;
        if (!view.autoAck) {
          view.pending.push(e);
          continue;
        }
        try {
          await sub.ack(e);
          view.acked++;
        } catch (err) {
          view.ackErrors.push(toGaterError(err).message);
        }
      }
      const ended = await sub.closed();
      if (ended) view.ackErrors.push(`the subscription ended: ${ended.message}`);
    })();
    this.views.set(step.id, view);
    return `topic ${sub.topic}, from ${from}`;
  }

  private view(id: string, kind?: View['kind']): View {
    const v = this.views.get(id);
    if (!v)
      throw new ExpectationFailed(
        `no running observer or subscriber "${id}"; start it with an observe or subscribe step first`,
      );
    if (kind && v.kind !== kind) throw new ExpectationFailed(`"${id}" is an ${v.kind}, not a ${kind}`);
    return v;
  }

  private async wait(step: WaitStep): Promise<string | undefined> {
    if (step.for === undefined) {
      await sleep(step.ms!);
      return undefined;
    }
    const v = this.view(step.for);
    const limit = step.ms ?? DEFAULT_WAIT_MS;
    const deadline = Date.now() + limit;
    const ready = () =>
      (step.count === undefined || v.events.length >= step.count) &&
      (step.acked === undefined || v.acked >= step.acked);
    while (!ready()) {
      if (Date.now() >= deadline) {
        throw new ExpectationFailed(
          `"${v.id}" received ${v.events.length} event(s) and acked ${v.acked} within ${limit} ms`,
          {
            received: v.events.length,
            acked: v.acked,
          },
        );
      }
      await sleep(10);
    }
    return `received ${v.events.length}, acked ${v.acked}`;
  }

  /** Evaluates an expectation, retrying for `within` ms (async effects such as checkpoints settle). */
  private async expect(step: ExpectStep): Promise<string> {
    const within =
      'within' in step && step.within !== undefined ? step.within : 'outcomes' in step ? 0 : DEFAULT_WITHIN_MS;
    const deadline = Date.now() + within;
    for (;;) {
      const { failures, seen } = await this.evaluate(step);
      if (failures.length === 0) return seen;
      if (Date.now() >= deadline) throw new ExpectationFailed(failures.join('; '), { observed: seen });
      await sleep(20);
    }
  }

  private async evaluate(step: ExpectStep): Promise<{ failures: string[]; seen: string }> {
    if ('outcomes' in step) return this.evaluateOutcomes(step);
    if ('subscription' in step) return this.evaluateSubscription(step);
    if ('stream' in step) return this.evaluateStream(step);
    return this.evaluateView(step);
  }

  private evaluateView(step: ExpectView): { failures: string[]; seen: string } {
    const v = this.view((step.observer ?? step.subscriber)!);
    const failures = [
      checkCount('count', step.count, v.events.length),
      checkCount('acked', step.acked, v.acked),
      ...checkMatches(v.events, step),
      ...v.ackErrors.map((m) => `an ack failed: ${m}`),
    ].filter((x): x is string => x !== undefined);
    return { failures, seen: `${v.events.length} event(s)${v.kind === 'subscriber' ? `, ${v.acked} acked` : ''}` };
  }

  private async evaluateStream(step: ExpectStream): Promise<{ failures: string[]; seen: string }> {
    const version = await this.api.getVersion(this.store, step.stream);
    const failures = [checkCount('version', step.version, version)];
    let n = version + 1;
    if (step.events !== undefined || step.every || step.some || step.none) {
      const events: EventRecord[] = [];
      if (version >= 0)
        for await (const e of this.api.streamForward(this.store, step.stream, 0, version + 1)) events.push(e);
      n = events.length;
      failures.push(checkCount('events', step.events, events.length), ...checkMatches(events, step));
    }
    return {
      failures: failures.filter((x): x is string => x !== undefined),
      seen: `version ${version}, ${n} event(s)`,
    };
  }

  private async evaluateSubscription(step: ExpectSubscription): Promise<{ failures: string[]; seen: string }> {
    const all = await this.api.getSubscriptions(this.store);
    const info = all.find((s) => s.name === step.subscription && s.persistent);
    if (!info) {
      const failures = step.exists === false ? [] : [`no persistent subscription named "${step.subscription}"`];
      return { failures, seen: 'absent' };
    }
    const failures = [
      step.exists === false ? `subscription "${step.subscription}" should not exist, but it does` : undefined,
      checkCount('checkpoint', step.checkpoint, info.checkpoint),
      checkCount('inFlight', step.inFlight, info.inFlight),
      checkCount('parked', step.parked, info.parked),
      checkCount('lag', step.lag, info.lag),
    ].filter((x): x is string => x !== undefined);
    return {
      failures,
      seen: `checkpoint ${info.checkpoint}, inFlight ${info.inFlight}, parked ${info.parked}, lag ${info.lag}`,
    };
  }

  private evaluateOutcomes(step: ExpectOutcomes): { failures: string[]; seen: string } {
    const missing = step.outcomes.filter((n) => !this.outcomes.has(n));
    if (missing.length)
      return {
        failures: [`no outcome recorded as ${missing.map((m) => `"${m}"`).join(', ')} (give the append steps "as")`],
        seen: '',
      };
    const list = step.outcomes.map((n) => this.outcomes.get(n)!);
    const ok = list.filter((o) => o.ok).length;
    const codes: Record<string, number> = {};
    for (const o of list) if (!o.ok) codes[o.code!] = (codes[o.code!] ?? 0) + 1;
    const failures = [checkCount('succeeded', step.succeeded, ok), checkCount('failed', step.failed, list.length - ok)];
    for (const [code, c] of Object.entries(step.errors ?? {}))
      failures.push(checkCount(`errors ${code}`, c, codes[code] ?? 0));
    const seen = `${ok} succeeded${Object.entries(codes)
      .map(([c, n]) => `, ${n} ${c}`)
      .join('')}`;
    return { failures: failures.filter((x): x is string => x !== undefined), seen };
  }

  async close(): Promise<void> {
    await Promise.all([...this.views.values()].map((v) => v.sub.close().then(() => v.pump)));
    this.views.clear();
  }
}

function sel(s: { stream?: string; type?: string; payload?: unknown; pattern?: unknown }): string {
  try {
    return selectorFromFlags(s as never).label;
  } catch {
    return '?';
  }
}

/** A one-line description of a step for the report. */
export function describeStep(step: Step): string {
  switch (step.step) {
    case 'append': {
      const what = step.events ? `${step.events.length} event(s)` : `${step.generate} generated event(s)`;
      const ev = step.expectedVersion !== undefined ? ` at expected version ${step.expectedVersion}` : '';
      const exp = step.expect?.error
        ? `, expecting ${step.expect.error}`
        : step.expect?.version !== undefined
          ? `, expecting version ${describeCount(step.expect.version)}`
          : '';
      return `append ${what} to ${step.stream}${ev}${exp}${step.as ? ` as "${step.as}"` : ''}`;
    }
    case 'produce': {
      const until = step.events !== undefined ? `${step.events} events` : `for ${step.duration} ms`;
      return `produce ${until} (${step.producers ?? 3} producers × batch ${step.batch ?? 1}, every ${step.period ?? 20} ms)`;
    }
    case 'observe':
      return `observe "${step.id}" on ${sel(step)}${step.from !== undefined ? ` from ${step.from}` : ''}`;
    case 'subscribe':
      return `subscribe "${step.id}" as "${step.name}" on ${sel(step)} from ${step.from ?? 0}${step.ack === false ? ' (manual ack)' : ' (auto-ack)'}`;
    case 'ack':
      return `ack ${step.count ?? 'all'} pending event(s) of "${step.id}"`;
    case 'nack':
      return `nack (${step.action}) ${step.count ?? 'all'} pending event(s) of "${step.id}"`;
    case 'unsubscribe':
      return `stop "${step.id}"${step.remove ? ' and remove its subscription' : ''}`;
    case 'wait':
      if (step.for === undefined) return `wait ${step.ms} ms`;
      return `wait until "${step.for}" has${step.count !== undefined ? ` ${step.count} event(s)` : ''}${step.acked !== undefined ? ` ${step.acked} acked` : ''} (≤ ${step.ms ?? DEFAULT_WAIT_MS} ms)`;
    case 'parallel':
      return `run ${step.steps.length} steps at once`;
    case 'expect':
      return `expect ${describeExpect(step)}`;
  }
}

function describeExpect(step: ExpectStep): string {
  const conds: string[] = [];
  const c = (label: string, v: unknown) => {
    if (v !== undefined) conds.push(`${label} ${describeCount(v as never)}`);
  };
  if ('outcomes' in step) {
    c('succeeded', step.succeeded);
    c('failed', step.failed);
    for (const [k, v] of Object.entries(step.errors ?? {})) c(k, v);
    return `outcomes of ${step.outcomes.map((o) => `"${o}"`).join(', ')}: ${conds.join(', ')}`;
  }
  if ('subscription' in step) {
    if (step.exists !== undefined) conds.push(step.exists ? 'exists' : 'does not exist');
    c('checkpoint', step.checkpoint);
    c('inFlight', step.inFlight);
    c('parked', step.parked);
    c('lag', step.lag);
    return `subscription "${step.subscription}": ${conds.join(', ')}`;
  }
  const m = step as ExpectView & ExpectStream;
  if ('stream' in step) {
    c('version', m.version);
    c('events', m.events);
  } else {
    c('count', m.count);
    c('acked', m.acked);
  }
  if (m.every) conds.push(`every ${describeMatch(m.every)}`);
  if (m.some) conds.push(`some ${describeMatch(m.some)}`);
  if (m.none) conds.push(`none ${describeMatch(m.none)}`);
  const who =
    'stream' in step
      ? `stream ${step.stream}`
      : m.observer !== undefined
        ? `observer "${m.observer}"`
        : `subscriber "${m.subscriber}"`;
  return `${who}: ${conds.join(', ')}`;
}
