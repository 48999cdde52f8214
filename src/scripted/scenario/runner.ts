import { ulid } from 'ulid';
import type { GaterApi } from '../../core/index.js';
import { stepTitle } from './describeStep.js';
import { instantiate } from './parse.js';
import { StepRunner, type StepRun } from './steps.js';
import type { ParallelStep, Scenario, ScenarioResult, StepResult } from './types.js';

export interface RunScenarioOptions {
  store: string;
  /** Replaces `{{run}}` (default: a fresh short id). */
  runId?: string;
  file?: string;
  /** Called as each step finishes (for a live report). */
  onStep?: (r: StepResult) => void;
}

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
  const steps = new StepRunner(api, options.store);
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
        emit({ index, kind: step.step, description: stepTitle(step), status: 'skip', ms: 0 });
        continue;
      }
      let runs: StepRun[];
      if (step.step === 'parallel') runs = await runParallel(steps, step, index, emit);
      else {
        const r = await steps.run(step, index);
        emit(r.result);
        runs = [r];
      }
      abortedBy = runs.find((r) => r.stop)?.stop?.code;
    }
  } finally {
    await steps.close();
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

/** Runs the inner steps at once; reports the parallel step (failed if any inner one failed), then each inner one. */
async function runParallel(
  steps: StepRunner,
  step: ParallelStep,
  index: string,
  emit: (r: StepResult) => void,
): Promise<StepRun[]> {
  const t0 = Date.now();
  const inner = await Promise.all(step.steps.map((x, j) => steps.run(x, `${index}.${j + 1}`)));
  const failed = inner.filter((r) => r.result.status === 'fail');
  emit({
    index,
    kind: 'parallel',
    description: stepTitle(step),
    status: failed.length ? 'fail' : 'pass',
    ms: Date.now() - t0,
    ...(failed.length ? { message: `${failed.length} of ${inner.length} parallel steps failed` } : {}),
  });
  for (const r of inner) emit(r.result);
  return inner;
}
