import { plural, toGaterError, type GaterApi, type GaterError, type NewEvent } from '../../core/index.js';
import { generateGreenhouseEvents } from '../../domain/greenhouse/index.js';
import { toNewEvent } from '../eventInput.js';
import { runProducers } from '../produce.js';
import { UNAVAILABLE_CODES } from '../unavailable.js';
import { stepTitle } from './describeStep.js';
import { expectWithin, type EvaluationContext, type Outcome } from './evaluate.js';
import { checkCount, ExpectationFailed } from './expectations.js';
import type { AckStep, AppendStep, NackStep, ProduceStep, Step, StepResult, WaitStep } from './types.js';
import { DEFAULT_WAIT_MS } from './types.js';
import { Views } from './views.js';

/**
 * What running one step gave: its report line and, when an action failed unexpectedly (not an expectation), the
 * error that stops the run. The runner decides from `stop`, never from the report.
 */
export interface StepRun {
  result: StepResult;
  stop?: GaterError;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Executes the steps of one scenario run on one gateway: its views and recorded outcomes live here. */
export class StepRunner {
  private readonly views: Views;
  private readonly outcomes = new Map<string, Outcome>();
  private readonly evaluation: EvaluationContext;

  constructor(
    private readonly api: GaterApi,
    private readonly store: string,
  ) {
    this.views = new Views(api, store);
    this.evaluation = { api, store, views: this.views, outcomes: this.outcomes };
  }

  /** Runs one (non-parallel) step: a failed expectation fails it; any other error also stops the run. */
  async run(step: Step, index: string): Promise<StepRun> {
    const t0 = Date.now();
    const base = { index, kind: step.step, description: stepTitle(step) };
    try {
      const message = await this.exec(step);
      return { result: { ...base, status: 'pass', ms: Date.now() - t0, ...(message ? { message } : {}) } };
    } catch (e) {
      if (e instanceof ExpectationFailed)
        return { result: { ...base, status: 'fail', ms: Date.now() - t0, message: e.message, details: e.details } };
      const err = toGaterError(e);
      return {
        result: {
          ...base,
          status: 'fail',
          ms: Date.now() - t0,
          message: `${err.code}: ${err.message}`,
          details: { code: err.code },
        },
        stop: err,
      };
    }
  }

  /** Stops every view the run started. */
  close(): Promise<void> {
    return this.views.closeAll();
  }

  private async exec(step: Step): Promise<string | undefined> {
    switch (step.step) {
      case 'append':
        return this.append(step);
      case 'produce':
        return this.produce(step);
      case 'observe':
      case 'subscribe':
        return this.views.start(step);
      case 'ack':
      case 'nack':
        return this.settle(step);
      case 'unsubscribe':
        await this.views.stop(step.id, step.remove === true);
        return undefined;
      case 'wait':
        return this.wait(step);
      case 'expect':
        return expectWithin(this.evaluation, step);
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

  /** Acks or nacks (in order) the first `count` (default: all) events pending at a manual-ack subscriber. */
  private async settle(step: AckStep | NackStep): Promise<string> {
    const v = this.views.get(step.id, 'subscriber');
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

  private async wait(step: WaitStep): Promise<string | undefined> {
    if (step.for === undefined) {
      await sleep(step.ms!);
      return undefined;
    }
    const v = this.views.get(step.for);
    const limit = step.ms ?? DEFAULT_WAIT_MS;
    const deadline = Date.now() + limit;
    const ready = () =>
      (step.count === undefined || v.events.length >= step.count) &&
      (step.acked === undefined || v.acked >= step.acked);
    while (!ready()) {
      if (Date.now() >= deadline) {
        throw new ExpectationFailed(
          `"${v.id}" received ${v.events.length} event(s) and acked ${v.acked} within ${limit} ms`,
          { received: v.events.length, acked: v.acked },
        );
      }
      await sleep(10);
    }
    return `received ${v.events.length}, acked ${v.acked}`;
  }
}
