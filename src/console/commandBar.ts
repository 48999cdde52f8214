/**
 * The console's `:` command bar: the scripted commands' syntax (`:observe --type temperature_measured:v1`,
 * `:append greenhouse1 --generate 10`), so what a user learns in one face works in the other. Words are split as
 * a shell would (shell-quote: quotes, escapes); flags are parsed by node's util.parseArgs. Each command does what
 * the matching menu option does, through the same services.
 */
import { parseArgs } from 'node:util';
import { parse as shellParse } from 'shell-quote';
import {
  GaterError,
  causationTree,
  checkGaterCluster,
  followCorrelation,
  durationValue,
  expectedVersionValue,
  intValue,
  jsonValue,
  plural,
  toGaterError,
  treeText,
  tryParsePattern,
  type NewEvent,
  type SubscriptionType,
} from '../core/index.js';
import { generateGreenhouseEvents } from '../domain/greenhouse/index.js';
import { fail, info, ok, plain, warn } from './components/ResultBlock.js';
import type { BenchScreenOptions, ResultLine, Route } from './menu.js';
import type { ConsoleServices } from './services.js';

/** What a command leaves: lines for the menu's result block, and where to go (a live view) if anywhere. */
export interface CommandOutcome {
  lines: ResultLine[];
  route?: Route;
}

/** The commands, as `:help` lists them. */
export const COMMAND_HELP: readonly string[] = [
  'observe [--stream S | --type T | --payload P | --pattern P] [--name N]   live observer, opens its monitor',
  'subscribe --name N [--stream S] [--from P]                            persistent subscription, opens its view',
  'append <stream> --generate N [--seed S] | --type T [--data J] [--metadata J] [--expected-version V]',
  'produce [--producers N] [--batch B] [--period MS]                     start greenhouse producers',
  'read <stream> [-n N]                                                  browse a stream',
  'follow <id>                                                           a transaction as a causation tree',
  'bench [--events N] [--duration D] [--batch B] [--clients C] [--rate R] [--subscribers K]   load with live latency',
  'check cluster | status | help',
];

/** A usage mistake in the command line: shown as it is, nothing was done. */
class CommandUsage extends Error {}

/** Splits a command line into words like a shell; redirections, pipes and `;` are refused (nothing runs a shell). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  // Variables are not expanded: `$all` is a stream selector here, not an environment variable.
  for (const t of shellParse(line, (name) => `$${name}`)) {
    if (typeof t === 'string') words.push(t);
    else if ('comment' in t) break;
    else if ('op' in t && t.op === 'glob') words.push(t.pattern);
    else throw new CommandUsage(`"${'op' in t ? t.op : '?'}" is shell syntax; the command bar runs one command`);
  }
  return words;
}

type Flags = Record<string, string | boolean | undefined>;

function flagsOf(args: string[], options: Record<string, { type: 'string' | 'boolean'; short?: string }>) {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Flags, positionals };
  } catch (e) {
    throw new CommandUsage((e as Error).message.replace(/\. To specify a positional argument.*$/, ''));
  }
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

const usage = (message: string) => new CommandUsage(message);

function int(v: string | boolean | undefined, flag: string, min: number): number | undefined {
  const s = str(v);
  return s === undefined ? undefined : intValue(s, flag, min, usage);
}

function duration(v: string | boolean | undefined, flag: string): number | undefined {
  const s = str(v);
  return s === undefined ? undefined : durationValue(s, flag, usage);
}

function json(v: string | boolean | undefined, flag: string): unknown {
  const s = str(v);
  return s === undefined ? undefined : jsonValue(s, flag, usage);
}

let observerSeq = 0;

/** Parses and runs one command line. Errors come back as lines; nothing throws. */
export async function runCommand(line: string, services: ConsoleServices): Promise<CommandOutcome> {
  try {
    const words = splitWords(line.trim().replace(/^:/, ''));
    if (words.length === 0) return { lines: [warn('type a command, e.g. observe --type temperature_measured:v1')] };
    const [name, ...args] = words as [string, ...string[]];
    const run = COMMANDS[name];
    if (!run) return { lines: [fail(`unknown command "${name}"; :help lists them`)] };
    return await run(args, services);
  } catch (e) {
    if (e instanceof CommandUsage) return { lines: [fail(e.message)] };
    return { lines: [fail(toGaterError(e).message)] };
  }
}

type Command = (args: string[], services: ConsoleServices) => Promise<CommandOutcome>;

const SELECTOR_FLAGS = {
  stream: { type: 'string' },
  type: { type: 'string' },
  payload: { type: 'string' },
  pattern: { type: 'string' },
} as const;

/** One selector from the flags, as `observe` takes it: `$all` by default. */
function selectorOf(f: Flags): { type: SubscriptionType; selector: unknown; label: string } {
  const given = (['stream', 'type', 'payload', 'pattern'] as const).filter((k) => f[k] !== undefined);
  if (given.length > 1) throw new CommandUsage(`choose one selector: --${given.join(' or --')}`);
  const pattern = (raw: string) => {
    const r = tryParsePattern(raw);
    if (!r.ok) throw new CommandUsage(`bad pattern: ${r.error}`);
    return r.pattern;
  };
  if (f.type !== undefined) return { type: 'by_event_type', selector: str(f.type), label: `type ${str(f.type)}` };
  if (f.payload !== undefined) {
    const p = pattern(str(f.payload)!);
    return { type: 'by_event_payload', selector: p, label: `payload ${str(f.payload)}` };
  }
  if (f.pattern !== undefined) {
    const p = pattern(str(f.pattern)!);
    return { type: 'by_event_pattern', selector: p, label: `pattern ${str(f.pattern)}` };
  }
  const stream = str(f.stream) ?? '$all';
  return { type: 'by_stream', selector: stream, label: stream };
}

const COMMANDS: Record<string, Command> = {
  help: async () => ({
    lines: [info('Commands (the scripted syntax):'), ...COMMAND_HELP.map((h) => plain(`  :${h}`))],
  }),

  status: async () => ({ lines: [], route: { screen: 'option', n: 14 } }),

  bench: async (args) => {
    const { values, positionals } = flagsOf(args, {
      events: { type: 'string' },
      duration: { type: 'string' },
      batch: { type: 'string' },
      clients: { type: 'string' },
      rate: { type: 'string' },
      subscribers: { type: 'string' },
      streams: { type: 'string' },
      size: { type: 'string' },
    });
    if (positionals.length) throw new CommandUsage(`bench takes flags only, not "${positionals[0]}"`);
    const options: BenchScreenOptions = {
      events: int(values.events, '--events', 1), // neither given: the bench's own default
      durationMs: duration(values.duration, '--duration'),
      batch: int(values.batch, '--batch', 1),
      clients: int(values.clients, '--clients', 1),
      rate: int(values.rate, '--rate', 1),
      subscribers: int(values.subscribers, '--subscribers', 0),
      streams: int(values.streams, '--streams', 1),
      size: int(values.size, '--size', 0),
    };
    return { lines: [], route: { screen: 'bench', options } };
  },

  check: async (args, services) => {
    if (args[0] !== 'cluster')
      throw new CommandUsage(
        'the command bar checks the cluster: check cluster (check store/subscription are scripted)',
      );
    const r = checkGaterCluster(services.gater);
    const head = `${r.status}: ${r.summary}`;
    return {
      lines: [
        r.status === 'OK' ? ok(head) : r.status === 'WARNING' ? warn(head) : fail(head),
        ...r.reasons.map((x) => plain(`  ${x.status}: ${x.message}`)),
      ],
    };
  },

  observe: async (args, services) => {
    const { values, positionals } = flagsOf(args, { ...SELECTOR_FLAGS, name: { type: 'string' } });
    if (positionals.length) throw new CommandUsage(`observe takes flags only, not "${positionals[0]}"`);
    const target = selectorOf(values);
    let name = str(values.name);
    if (name === undefined) {
      do name = `obs-${++observerSeq}`;
      while (services.observers.get(name));
    }
    await services.createObserver(name, target.type, target.selector);
    return {
      lines: [ok(`Observer '${name}' created for ${target.label}`)],
      route: { screen: 'monitor', observer: name },
    };
  },

  subscribe: async (args, services) => {
    const { values, positionals } = flagsOf(args, {
      name: { type: 'string' },
      stream: { type: 'string' },
      from: { type: 'string' },
    });
    if (positionals.length) throw new CommandUsage(`subscribe takes flags only, not "${positionals[0]}"`);
    const name = str(values.name);
    if (!name) throw new CommandUsage('subscribe needs --name (a persistent subscription is found again by its name)');
    const stream = str(values.stream) ?? '$all';
    await services.createSubscription(name, stream, int(values.from, '--from', 0) ?? 0);
    const result = [ok(`Subscription '${name}' created on ${stream}`)];
    return { lines: result, route: { screen: 'subscriptionFeed', name, result } };
  },

  append: async (args, services) => {
    const { values, positionals } = flagsOf(args, {
      generate: { type: 'string' },
      seed: { type: 'string' },
      type: { type: 'string' },
      data: { type: 'string' },
      metadata: { type: 'string' },
      'expected-version': { type: 'string' },
    });
    const stream = positionals[0];
    if (!stream || positionals.length > 1) throw new CommandUsage('append takes one stream: append <stream> …');
    const api = services.gater.api;
    const expected = expectedVersionValue(str(values['expected-version']) ?? 'any', usage);
    let events: NewEvent[];
    const n = int(values.generate, '--generate', 1);
    if (n !== undefined) {
      if (values.type !== undefined) throw new CommandUsage('give --generate or --type, not both');
      const version = await api.getVersion(services.store, stream);
      events = generateGreenhouseEvents(version, n, { seed: str(values.seed) });
    } else {
      const type = str(values.type);
      if (!type) throw new CommandUsage('append needs --generate N or --type T [--data JSON]');
      events = [
        { eventType: type, data: json(values.data, '--data') ?? {}, metadata: json(values.metadata, '--metadata') },
      ];
    }
    const version = await api.appendEvents(services.store, stream, events, expected);
    return { lines: [ok(`Appended ${plural(events.length, 'event')} to ${stream} (version ${version})`)] };
  },

  produce: async (args, services) => {
    const { values, positionals } = flagsOf(args, {
      producers: { type: 'string' },
      batch: { type: 'string' },
      period: { type: 'string' },
    });
    if (positionals.length) throw new CommandUsage(`produce takes flags only, not "${positionals[0]}"`);
    const started = services.startProducers(int(values.producers, '--producers', 1) ?? 3, {
      batchSize: int(values.batch, '--batch', 1) ?? 1,
      periodMs: int(values.period, '--period', 0) ?? 100,
    });
    return { lines: [ok(`Started ${plural(started.length, 'producer')}: ${started.join(', ')}`)] };
  },

  read: async (args) => {
    const { values, positionals } = flagsOf(args, { count: { type: 'string', short: 'n' } });
    const stream = positionals[0];
    if (!stream || positionals.length > 1) throw new CommandUsage('read takes one stream: read <stream> [-n N]');
    return { lines: [], route: { screen: 'browser', stream, pageSize: int(values.count, '--count', 1) ?? 10 } };
  },

  follow: async (args, services) => {
    const { positionals } = flagsOf(args, {});
    const id = positionals[0];
    if (!id || positionals.length > 1) throw new CommandUsage('follow takes one id: follow <correlation-or-event-id>');
    const found = await followCorrelation(services.gater.api, services.store, id);
    if (found.events.length === 0)
      throw new GaterError('not_found', `no event has id, correlation id or causation id ${id}`);
    const text = treeText(causationTree(found.events));
    const shown = text.slice(0, 30);
    return {
      lines: [
        info(`🔗 ${id}: ${plural(found.events.length, 'event')}`),
        ...shown.map(plain),
        ...(text.length > shown.length
          ? [warn(`${text.length - shown.length} more: run follow ${id} as a command`)]
          : []),
      ],
    };
  },
};
