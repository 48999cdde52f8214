import type { Command } from 'commander';
import { plural, type EventRecord, type Subscription } from '../../core/index.js';
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
 * Runs a live view until --count events, --duration, Ctrl+C, a closed output or the end of the subscription.
 * `start` opens the subscription; `handle` prints (and acks) one event and is awaited before the next is taken,
 * so events are shown and acknowledged in delivery order. Returns the exit code.
 */
export async function runLive(
  config: Config,
  plan: LivePlan,
  start: () => Promise<Subscription>,
  handle: (e: EventRecord, sub: Subscription) => Promise<void> | void,
  what: string,
): Promise<number> {
  let taken = 0;
  let stoppedBy: 'duration' | 'signal' | 'reader_gone' | undefined;
  // Embedded mode holds no socket: without this handle Node would exit as soon as the replay is printed, ignoring
  // --count and --duration. The command lives until count, duration, Ctrl+C or a closed output.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const signal = onStopSignal();
  let sub: Subscription | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = (why: 'duration' | 'signal') => {
    stoppedBy ??= why;
    void sub?.close();
  };
  void signal.promise.then(() => stop('signal'));
  try {
    sub = await start();
    if (config.logLevel !== 'silent' && config.logLevel !== 'error' && config.logLevel !== 'warn') {
      process.stderr.write(
        `👁️  ${what} ${plan.target.label} on ${config.store}${plan.from === undefined ? ' (live)' : ` from ${plan.from}`}\n`,
      );
    }
    if (stoppedBy !== undefined) await sub.close();
    if (plan.durationMs !== undefined) timer = setTimeout(() => stop('duration'), plan.durationMs);
    for await (const e of sub) {
      try {
        await handle(e, sub);
      } catch (err) {
        // `| head -n 3`: the reader left; stop quietly, without acking what it never read
        if (!isReaderGone(err)) throw err;
        stoppedBy = 'reader_gone';
        break;
      }
      taken++;
      if (plan.count !== undefined && taken >= plan.count) break;
    }
    const ended = await sub.closed();
    // Ended neither by us nor by --count: the gateway gave up on it (say, its store is gone from every node).
    if (ended && stoppedBy === undefined) throw ended;
    if (stoppedBy === 'duration' && plan.count !== undefined && taken < plan.count) {
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
