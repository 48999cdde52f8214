import { NACK_ACTIONS, parsePattern, PatternError } from '../../core/index.js';
import { STEP_KINDS, type Scenario, type Step } from './types.js';

/** A scenario file that does not parse or describes an impossible step: the CLI exits 2 and names the step. */
export class ScenarioFileError extends Error {
  override readonly name = 'ScenarioFileError';
}

type Check = (v: unknown, where: string) => void;

const fail = (where: string, what: string): never => {
  throw new ScenarioFileError(`${where} ${what}`);
};

const str: Check = (v, w) => {
  if (typeof v !== 'string' || v.length === 0) fail(w, `must be a non-empty string, got ${JSON.stringify(v)}`);
};
const int =
  (min: number): Check =>
  (v, w) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      fail(w, `must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  };
const bool: Check = (v, w) => {
  if (typeof v !== 'boolean') fail(w, `must be true or false, got ${JSON.stringify(v)}`);
};
const strOrInt: Check = (v, w) => {
  if (typeof v !== 'string' && typeof v !== 'number') fail(w, 'must be a string or a number');
};
const count: Check = (v, w) => {
  if (typeof v === 'number') return int(0)(v, w);
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(w, 'must be a number or {"min": n, "max": n, "eq": n}');
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 0) fail(w, 'needs "eq", "min" or "max"');
  for (const k of keys) {
    if (!['eq', 'min', 'max'].includes(k)) fail(`${w}.${k}`, 'is not a count bound; use eq, min or max');
    int(0)(o[k], `${w}.${k}`);
  }
};
const pattern: Check = (v, w) => {
  if (typeof v === 'string') {
    try {
      parsePattern(v);
    } catch (e) {
      if (e instanceof PatternError) fail(w, `is not a pattern: ${e.message}`);
      throw e;
    }
    return;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    fail(w, 'must be a JSON object pattern or a string like %{operator: "John"}');
};
const expectedVersion: Check = (v, w) => {
  if (v === 'any' || v === 'no_stream' || v === 'stream_exists') return;
  if (typeof v === 'number' && Number.isInteger(v) && v >= -1) return;
  fail(w, `must be "any", "no_stream", "stream_exists" or an integer >= -1, got ${JSON.stringify(v)}`);
};
const object =
  (fields: Record<string, Check>): Check =>
  (v, w) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) fail(w, 'must be an object');
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const check = fields[k];
      if (!check) fail(`${w}.${k}`, `is not a known field (expected one of: ${Object.keys(fields).join(', ')})`);
      check!(x, `${w}.${k}`);
    }
  };
const match = object({ stream: str, type: str, payload: pattern, pattern: pattern });
const selector = { stream: str, type: str, payload: pattern, pattern: pattern };
const events: Check = (v, w) => {
  if (!Array.isArray(v) || v.length === 0) fail(w, 'must be a non-empty array of events');
  (v as unknown[]).forEach((e, i) => {
    if (!e || typeof e !== 'object') fail(`${w}[${i}]`, 'must be an event object');
    const t = (e as Record<string, unknown>).eventType;
    if (typeof t !== 'string' || !t) fail(`${w}[${i}].eventType`, 'must be a non-empty string');
  });
};
const strings: Check = (v, w) => {
  if (!Array.isArray(v) || v.length === 0) fail(w, 'must be a non-empty array of names');
  (v as unknown[]).forEach((x, i) => str(x, `${w}[${i}]`));
};
const countMap: Check = (v, w) => {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    fail(w, 'must map error codes to counts, e.g. {"wrong_expected_version": 1}');
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) count(x, `${w}.${k}`);
};

const STEP_FIELDS: Record<string, Record<string, Check>> = {
  append: {
    stream: str,
    events,
    generate: int(1),
    seed: strOrInt,
    expectedVersion,
    as: str,
    expect: object({ version: count, error: str, ok: bool }),
  },
  produce: {
    producers: int(1),
    batch: int(1),
    period: int(0),
    events: int(1),
    duration: int(1),
    prefix: str,
    seed: strOrInt,
    expect: object({ events: count }),
  },
  observe: { id: str, from: int(0), ...selector },
  subscribe: { id: str, name: str, from: int(0), ack: bool, ackTimeoutMs: int(1), maxRetries: int(1), ...selector },
  ack: { id: str, count: int(1) },
  nack: {
    id: str,
    count: int(1),
    action: (v, w) => {
      if (!(NACK_ACTIONS as readonly unknown[]).includes(v)) fail(w, `must be one of ${NACK_ACTIONS.join(', ')}`);
    },
  },
  unsubscribe: { id: str, remove: bool },
  wait: { ms: int(0), for: str, count: int(0), acked: int(0) },
  parallel: {},
};

const EXPECT_FORMS: { key: string; fields: Record<string, Check> }[] = [
  {
    key: 'observer',
    fields: { observer: str, count, acked: count, every: match, some: match, none: match, within: int(0) },
  },
  {
    key: 'subscriber',
    fields: { subscriber: str, count, acked: count, every: match, some: match, none: match, within: int(0) },
  },
  {
    key: 'stream',
    fields: { stream: str, version: count, events: count, every: match, some: match, none: match, within: int(0) },
  },
  {
    key: 'subscription',
    fields: {
      subscription: str,
      exists: bool,
      checkpoint: count,
      inFlight: count,
      parked: count,
      lag: count,
      within: int(0),
    },
  },
  { key: 'outcomes', fields: { outcomes: strings, succeeded: count, failed: count, errors: countMap } },
];

/** Validates one step; `where` is e.g. `step 3 (append)`. */
function checkStep(s: unknown, where: string, nested: boolean): void {
  if (!s || typeof s !== 'object' || Array.isArray(s)) fail(where, 'must be an object with a "step" field');
  const o = s as Record<string, unknown>;
  const kind = o.step;
  if (typeof kind !== 'string' || !(STEP_KINDS as readonly string[]).includes(kind)) {
    fail(where, `has "step": ${JSON.stringify(kind)}; use one of ${STEP_KINDS.join(', ')}`);
  }
  const w = `${where} (${kind as string})`;
  const rest = Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'step' && k !== 'label'));
  if (o.label !== undefined) str(o.label, `${w}.label`);
  if (kind === 'expect') {
    const form = EXPECT_FORMS.find((f) => f.key in rest);
    if (!form) fail(w, `needs one of ${EXPECT_FORMS.map((f) => `"${f.key}"`).join(', ')} saying what to check`);
    object(form!.fields)(rest, w);
    if (Object.keys(rest).length < 2) fail(w, `checks nothing: add a condition for ${form!.key}`);
    return;
  }
  if (kind === 'parallel') {
    if (nested) fail(w, 'cannot be nested');
    const steps = rest.steps;
    if (!Array.isArray(steps) || steps.length < 2) fail(`${w}.steps`, 'must be an array of at least two steps');
    if (Object.keys(rest).length > 1) fail(w, 'takes only "steps"');
    (steps as unknown[]).forEach((x, i) => {
      const inner = `${where}.${i + 1}`;
      checkStep(x, inner, true);
      const k = (x as { step: string }).step;
      if (!['append', 'produce', 'wait'].includes(k))
        fail(inner, `(${k}) cannot run in parallel; only append, produce and wait can`);
    });
    return;
  }
  object(STEP_FIELDS[kind as string]!)(rest, w);
  const need = (field: string) => {
    if (rest[field] === undefined) fail(w, `needs "${field}"`);
  };
  switch (kind) {
    case 'append':
      need('stream');
      if ((rest.events === undefined) === (rest.generate === undefined))
        fail(w, 'needs exactly one of "events" or "generate"');
      if (rest.seed !== undefined && rest.generate === undefined) fail(w, '"seed" goes with "generate"');
      break;
    case 'produce':
      if (rest.events === undefined && rest.duration === undefined) fail(w, 'needs "events" or "duration" so it ends');
      break;
    case 'observe':
    case 'subscribe': {
      need('id');
      if (kind === 'subscribe') need('name');
      const sel = ['stream', 'type', 'payload', 'pattern'].filter((k) => rest[k] !== undefined);
      if (sel.length > 1) fail(w, `has ${sel.join(' and ')}: choose one selector`);
      break;
    }
    case 'ack':
    case 'nack':
    case 'unsubscribe':
      need('id');
      if (kind === 'nack') need('action');
      break;
    case 'wait':
      if (rest.for === undefined && rest.ms === undefined)
        fail(w, 'needs "ms" (sleep) or "for" (a view id, with "count" or "acked")');
      if (rest.for !== undefined && rest.count === undefined && rest.acked === undefined)
        fail(w, 'with "for" needs "count" or "acked"');
      break;
  }
}

/** Parses and validates a scenario file's text. */
export function parseScenario(text: string, source: string): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ScenarioFileError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new ScenarioFileError(`${source} must hold an object {"name", "steps": [...]}`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['name', 'description', 'steps', '$schema'].includes(k))
      throw new ScenarioFileError(`${source}: unknown top-level field "${k}" (expected name, description, steps)`);
  }
  if (typeof o.name !== 'string' || !o.name)
    throw new ScenarioFileError(`${source}: "name" must be a non-empty string`);
  if (o.description !== undefined && typeof o.description !== 'string')
    throw new ScenarioFileError(`${source}: "description" must be a string`);
  if (!Array.isArray(o.steps) || o.steps.length === 0)
    throw new ScenarioFileError(`${source}: "steps" must be a non-empty array`);
  try {
    o.steps.forEach((s, i) => checkStep(s, `step ${i + 1}`, false));
  } catch (e) {
    if (e instanceof ScenarioFileError) throw new ScenarioFileError(`${source}: ${e.message}`);
    throw e;
  }
  return raw as Scenario;
}

/** Replaces `{{run}}` in every string of the scenario. */
export function instantiate<T>(value: T, vars: Record<string, string>): T {
  const sub = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (m, k: string) => vars[k] ?? m);
    if (Array.isArray(v)) return v.map(sub);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sub(x)]));
    return v;
  };
  return sub(value) as T;
}

export type { Step };
