import type { Command } from 'commander';
import { plural, type EventRecord } from '../../core/index.js';
import { selectorFromFlags, type SelectorFlags, type SubscriptionTarget } from '../../scripted/selectors.js';
import { isReaderGone } from '../../scripted/writeLine.js';
import type { Config } from '../config.js';
import { CommandFailed } from '../exitCodes.js';
import { durationOpt, intOpt, onStopSignal } from '../options.js';

/** Flags shared by `observe` and `subscribe`. */
export interface LiveFlags extends SelectorFlags {
  from?: string;
  count?: string;
  duration?: string;
}

export function addLiveOptions(cmd: Command): Command {
  return cmd
    .option('--stream <stream>', 'by stream: $all (default), greenhouse1 or $greenhouse1')
    .option('--type <eventType>', 'by event type, e.g. temperature_measured:v1')
    .option(
      '--payload <pattern>',
      `by payload subset, JSON or Elixir map: '%{operator: "John"}' ('_' matches any value)`,
    )
    .option('--pattern <pattern>', 'by record subset (fields of the whole event record), same syntax')
    .option('-n, --count <n>', 'exit 0 after N events (exit 1 if --duration ends first)')
    .option('--duration <ms>', 'stop after this long (500, 2s, 1m); default: until Ctrl+C or --count');
}

export interface LivePlan {
  target: SubscriptionTarget;
  from: number | undefined;
  count: number | undefined;
  durationMs: number | undefined;
}

export function planLive(f: LiveFlags): LivePlan {
  return {
    target: selectorFromFlags(f),
    from: intOpt(f.from, '--from', { min: 0 }),
    count: intOpt(f.count, '--count', { min: 1 }),
    durationMs: durationOpt(f.duration, '--duration'),
  };
}

/**
 * Runs a live view until --count events, --duration, or Ctrl+C. `start` registers the subscription and feeds
 * events to `deliver`; `handle` prints (and acks) one event and is awaited in order. Returns the exit code.
 */
export async function runLive(
  config: Config,
  plan: LivePlan,
  start: (deliver: (events: EventRecord[]) => void) => Promise<{ close(): Promise<void> }>,
  handle: (e: EventRecord) => Promise<void> | void,
  what: string,
): Promise<number> {
  let taken = 0;
  let chain: Promise<void> = Promise.resolve();
  let finish!: (reason: 'count' | 'duration' | 'signal') => void;
  const finished = new Promise<'count' | 'duration' | 'signal'>((r) => (finish = r));
  const signal = onStopSignal();
  void signal.promise.then(() => finish('signal'));
  let timer: NodeJS.Timeout | undefined;
  let failure: unknown;
  let stopping = false;
  void finished.then(() => (stopping = true));
  // Embedded mode holds no socket: without this handle Node would exit as soon as the replay is printed, ignoring
  // --count and --duration. The command lives until count, duration, Ctrl+C or a closed output.
  const keepAlive = setInterval(() => {}, 2 ** 30);

  const deliver = (events: EventRecord[]): void => {
    for (const e of events) {
      if (plan.count !== undefined && taken >= plan.count) return;
      taken++;
      const reachedCount = plan.count !== undefined && taken >= plan.count;
      chain = chain
        // nothing more is printed (or acked) once the command is stopping, e.g. after the reader went away
        .then(() => (stopping ? undefined : handle(e)))
        .catch((err: unknown) => {
          // `| head -n 3`: the reader left; stop quietly, without acking what it never read
          if (!isReaderGone(err)) failure ??= err;
          finish('signal');
        });
      if (reachedCount) void chain.then(() => finish('count'));
    }
  };

  let sub: { close(): Promise<void> } | undefined;
  try {
    sub = await start(deliver);
    if (config.logLevel !== 'silent' && config.logLevel !== 'error' && config.logLevel !== 'warn') {
      process.stderr.write(
        `👁️  ${what} ${plan.target.label} on ${config.store}${plan.from === undefined ? ' (live)' : ` from ${plan.from}`}\n`,
      );
    }
    if (plan.durationMs !== undefined) timer = setTimeout(() => finish('duration'), plan.durationMs);
    const reason = await finished;
    await chain;
    if (failure !== undefined) throw failure;
    if (reason === 'duration' && plan.count !== undefined && taken < plan.count) {
      throw new CommandFailed(
        'count_not_reached',
        `${what}: saw ${taken} of ${plural(plan.count, 'event')} before --duration ${plan.durationMs} ms ended`,
        {
          seen: taken,
          count: plan.count,
        },
      );
    }
    return 0;
  } finally {
    clearInterval(keepAlive);
    if (timer) clearTimeout(timer);
    signal.dispose();
    await sub?.close();
  }
}
