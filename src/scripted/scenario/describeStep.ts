import { selectorFromFlags } from '../selectors.js';
import { describeCount, describeMatch } from './expectations.js';
import {
  DEFAULT_WAIT_MS,
  type Count,
  type EventMatch,
  type ExpectStep,
  type SelectorSpec,
  type Step,
} from './types.js';

/** The step's name in the report: its `label` if it has one, else a one-line description. */
export function stepTitle(step: Step): string {
  return step.label ?? describeStep(step);
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
      return `observe "${step.id}" on ${selectorLabel(step)}${step.from !== undefined ? ` from ${step.from}` : ''}`;
    case 'subscribe':
      return `subscribe "${step.id}" as "${step.name}" on ${selectorLabel(step)} from ${step.from ?? 0}${step.ack === false ? ' (manual ack)' : ' (auto-ack)'}`;
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

/** The selector as messages show it; a selector that does not parse is reported by the step, not here. */
function selectorLabel(s: SelectorSpec): string {
  try {
    return selectorFromFlags(s).label;
  } catch {
    return '?';
  }
}

function describeExpect(step: ExpectStep): string {
  const conds: string[] = [];
  const c = (label: string, v: Count | undefined) => {
    if (v !== undefined) conds.push(`${label} ${describeCount(v)}`);
  };
  const matches = (m: { every?: EventMatch; some?: EventMatch; none?: EventMatch }) => {
    if (m.every) conds.push(`every ${describeMatch(m.every)}`);
    if (m.some) conds.push(`some ${describeMatch(m.some)}`);
    if (m.none) conds.push(`none ${describeMatch(m.none)}`);
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
  if ('stream' in step) {
    c('version', step.version);
    c('events', step.events);
    matches(step);
    return `stream ${step.stream}: ${conds.join(', ')}`;
  }
  c('count', step.count);
  c('acked', step.acked);
  matches(step);
  const who = step.observer !== undefined ? `observer "${step.observer}"` : `subscriber "${step.subscriber}"`;
  return `${who}: ${conds.join(', ')}`;
}
