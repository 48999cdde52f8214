import type { ExpectedVersion, NackAction } from '../../core/index.js';

/**
 * A scenario file (fixtures/scenarios/*.json): steps run in order in one process against one gateway.
 * Every string may use `{{run}}`, replaced by an id unique to the run, so a scenario repeats on a shared node.
 */
export interface Scenario {
  name: string;
  description?: string;
  steps: Step[];
}

/** `3` (exactly), or bounds: `{ "min": 1 }`, `{ "max": 0 }`, `{ "min": 1, "max": 5 }`, `{ "eq": 3 }`. */
export type Count = number | { eq?: number; min?: number; max?: number };

/** One selector of the console (observers, subscriptions): stream (`$all` default), type, payload or pattern. */
export interface SelectorSpec {
  stream?: string;
  type?: string;
  /** JSON object or console syntax `%{operator: "John"}`. */
  payload?: string | Record<string, unknown>;
  pattern?: string | Record<string, unknown>;
}

/** Conditions every / some / no event of a view or stream must meet (all given fields at once). */
export interface EventMatch {
  stream?: string;
  type?: string;
  payload?: string | Record<string, unknown>;
  pattern?: string | Record<string, unknown>;
}

/** What every step may carry. */
export interface StepBase {
  /** Names the step in the report (run or skipped) instead of its generated description. */
  label?: string;
}

export interface AppendStep extends StepBase {
  step: 'append';
  stream: string;
  /** Events as `{eventType, data, metadata?, eventId?}`. */
  events?: unknown[];
  /** Or N greenhouse events. */
  generate?: number;
  seed?: string | number;
  expectedVersion?: ExpectedVersion;
  /** Records the outcome under this name (for `expect outcomes`); a failure is then not fatal by itself. */
  as?: string;
  expect?: { version?: Count; error?: string; ok?: boolean };
}

export interface ProduceStep extends StepBase {
  step: 'produce';
  producers?: number;
  batch?: number;
  period?: number;
  events?: number;
  duration?: number;
  prefix?: string;
  seed?: string | number;
  expect?: { events?: Count };
}

export interface ObserveStep extends StepBase, SelectorSpec {
  step: 'observe';
  id: string;
  /** Default: live only. */
  from?: number;
}

export interface SubscribeStep extends StepBase, SelectorSpec {
  step: 'subscribe';
  id: string;
  /** The persistent subscription's name. */
  name: string;
  /** Default 0. */
  from?: number;
  /** Ack each event as it arrives (default true); false leaves them pending for `ack` / `nack` steps. */
  ack?: boolean;
  ackTimeoutMs?: number;
  maxRetries?: number;
}

export interface AckStep extends StepBase {
  step: 'ack';
  id: string;
  /** How many pending events, oldest first (default all). */
  count?: number;
}

export interface NackStep extends StepBase {
  step: 'nack';
  id: string;
  action: NackAction;
  count?: number;
}

export interface UnsubscribeStep extends StepBase {
  step: 'unsubscribe';
  id: string;
  /** Also delete the stored subscription record (default false). */
  remove?: boolean;
}

export interface WaitStep extends StepBase {
  step: 'wait';
  /** Sleep this long; or, with `for`, the most to wait (default 5000). */
  ms?: number;
  /** A view id: wait until it has received `count` events and acked `acked`. */
  for?: string;
  count?: number;
  acked?: number;
}

export interface ExpectView extends StepBase {
  step: 'expect';
  /** Observer or subscriber id. */
  observer?: string;
  subscriber?: string;
  count?: Count;
  acked?: Count;
  every?: EventMatch;
  some?: EventMatch;
  none?: EventMatch;
  within?: number;
}

export interface ExpectStream extends StepBase {
  step: 'expect';
  stream: string;
  version?: Count;
  events?: Count;
  every?: EventMatch;
  some?: EventMatch;
  none?: EventMatch;
  within?: number;
}

export interface ExpectSubscription extends StepBase {
  step: 'expect';
  subscription: string;
  exists?: boolean;
  checkpoint?: Count;
  inFlight?: Count;
  parked?: Count;
  lag?: Count;
  within?: number;
}

export interface ExpectOutcomes extends StepBase {
  step: 'expect';
  outcomes: string[];
  succeeded?: Count;
  failed?: Count;
  /** Per error code, e.g. `{ "wrong_expected_version": 1 }`. */
  errors?: Record<string, Count>;
}

export type ExpectStep = ExpectView | ExpectStream | ExpectSubscription | ExpectOutcomes;

export interface ParallelStep extends StepBase {
  step: 'parallel';
  steps: (AppendStep | ProduceStep | WaitStep)[];
}

export type Step =
  | AppendStep
  | ProduceStep
  | ObserveStep
  | SubscribeStep
  | AckStep
  | NackStep
  | UnsubscribeStep
  | WaitStep
  | ExpectStep
  | ParallelStep;

export const STEP_KINDS = [
  'append',
  'produce',
  'observe',
  'subscribe',
  'ack',
  'nack',
  'unsubscribe',
  'wait',
  'expect',
  'parallel',
] as const;

/** A `wait` for a view gives up after this long unless it says `ms`. */
export const DEFAULT_WAIT_MS = 5000;
/** An `expect` (other than `outcomes`) retries for this long unless it says `within`: async effects settle. */
export const DEFAULT_WITHIN_MS = 1000;

export interface StepResult {
  /** 1-based; nested parallel steps are `3.1`, `3.2`. */
  index: string;
  kind: Step['step'];
  description: string;
  status: 'pass' | 'fail' | 'skip';
  ms: number;
  /** Why it failed (or what it observed). */
  message?: string;
  details?: Record<string, unknown>;
}

export interface ScenarioResult {
  scenario: string;
  file: string | undefined;
  passed: boolean;
  steps: StepResult[];
  durationMs: number;
  /** The error code that stopped the run early, if an action failed unexpectedly. */
  abortedBy?: string;
}
