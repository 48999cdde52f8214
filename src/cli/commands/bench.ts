import type { Command } from 'commander';
import {
  BENCH_DEFAULT_EVENTS,
  benchProgressLine,
  benchRecords,
  benchText,
  runBench,
  type BenchOptions,
} from '../../core/bench/index.js';
import { describeStorage } from '../../core/index.js';
import type { Config } from '../config.js';
import { UsageError } from '../exitCodes.js';
import { durationOpt, intOpt, onStopSignal } from '../options.js';
import { createOutput } from '../output.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';

interface BenchFlags {
  clients?: string;
  events?: string;
  duration?: string;
  batch?: string;
  streams?: string;
  subscribers?: string;
  rate?: string;
  size?: string;
  read: boolean;
  progress: boolean;
}

export function registerBench(program: Command, run: Runner): void {
  const cmd = program
    .command('bench')
    .description(
      'load generator: append (and read back, and deliver to subscribers) through the gateway; prints throughput and HDR latency percentiles per operation and per node',
    )
    .option('--clients <n>', 'concurrent callers (default 1)')
    .option('--events <n>', `events to append in all (default ${BENCH_DEFAULT_EVENTS})`)
    .option('--duration <d>', 'append for this long (500ms, 10s, 1m); with --events, until either is reached')
    .option('--batch <n>', 'events per append call; also the read page size (default 1)')
    .option('--streams <n>', 'streams the appends go to, round robin (default 10)')
    .option('--subscribers <n>', 'live $all subscribers measuring append → delivery (default 0)')
    .option('--rate <events/s>', 'open loop: send on a fixed schedule; latency counts from the scheduled time')
    .option('--size <bytes>', 'padding bytes in each event (default 0)')
    .option('--no-read', 'skip reading the appended events back')
    .option('--no-progress', 'no progress line on stderr')
    .addHelpText(
      'after',
      examples(
        'bench',
        'bench --clients 4 --batch 100 --events 200000',
        'bench --rate 5000 --subscribers 1 --duration 10s   # append → delivery latency at 5,000 events/s',
        'bench --storage sqlite:/tmp/bench.db --batch 100 --json',
        '--connect 127.0.0.1:7001 --cookie s3cret bench --clients 8 --duration 30s',
      ) +
        '\n\nWrites only streams named bench-<run id>-<n> in the store. Closed loop by default: each client keeps one' +
        '\ncall in flight. With --json: one object per line, type "op" (per operation), "node" (per node and' +
        '\noperation) and "run" (configuration, delivery check, errors by code). Exit 1 if any call failed or a' +
        '\nsubscriber missed, repeated or reordered an event.',
    );
  cmd.action(
    run(async (config) => {
      const f = cmd.opts<BenchFlags>();
      const durationMs = durationOpt(f.duration, '--duration');
      const options: BenchOptions = {
        store: config.store,
        clients: intOpt(f.clients, '--clients', { min: 1 }),
        events: intOpt(f.events, '--events', { min: 1 }),
        durationMs,
        batch: intOpt(f.batch, '--batch', { min: 1 }),
        streams: intOpt(f.streams, '--streams', { min: 1 }),
        subscribers: intOpt(f.subscribers, '--subscribers', { min: 0 }),
        rate: intOpt(f.rate, '--rate', { min: 1 }),
        size: intOpt(f.size, '--size', { min: 0 }),
        read: f.read,
      };
      if ((options.clients ?? 1) > 10_000) throw new UsageError('--clients must be at most 10000');
      const out = createOutput(config.json);
      const stop = onStopSignal();
      const abort = new AbortController();
      void stop.promise.then(() => abort.abort());
      const tty = process.stderr.isTTY === true;
      let shown = false;
      try {
        return await withGater(config, async (gater) => {
          const report = await runBench(gater.api, {
            ...options,
            signal: abort.signal,
            onProgress: f.progress
              ? (p) => {
                  const line = benchProgressLine(p);
                  process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
                  shown = true;
                }
              : undefined,
          });
          if (shown && tty) process.stderr.write('\r\x1b[2K');
          const target = describeTarget(config);
          if (config.json) for (const r of benchRecords(report, target)) out.result(r, () => '');
          else for (const line of benchText(report, target)) out.line(line);
          const d = report.delivery;
          const bad = Object.keys(report.errors).length > 0 || (d && d.duplicates + d.outOfOrder + d.missing > 0);
          return bad ? 1 : 0;
        });
      } finally {
        stop.dispose();
      }
    }),
  );
}

/** What the bench ran against, for its header (the storage password masked). */
function describeTarget(config: Config): string {
  if (config.connect.length > 0) return `tcp ${config.connect.join(',')}`;
  if (config.cluster) return `cluster (gossip on ${config.gossipIf}:${config.gossipPort})`;
  return `embedded ${describeStorage(config.storage)}`;
}
