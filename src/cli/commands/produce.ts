import { plural } from '../../core/index.js';
import type { Command } from 'commander';
import { runProducers, type ProduceProgress } from '../../scripted/produce.js';
import { CommandFailed, UsageError } from '../exitCodes.js';
import { durationOpt, intOpt, onStopSignal } from '../options.js';
import { createOutput } from '../output.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';

interface ProduceFlags {
  producers?: string;
  batch?: string;
  period?: string;
  duration?: string;
  events?: string;
  prefix?: string;
  seed?: string;
}

export function registerProduce(program: Command, run: Runner): void {
  const cmd = program
    .command('produce')
    .description('run greenhouse producers on greenhouse1..N; progress on stderr, a summary at the end')
    .option('--producers <n>', 'number of producers (default 3)')
    .option('--batch <n>', 'events per append (default 1)')
    .option('--period <ms>', "ms between a producer's appends (default 100; 0 = flat out)")
    .option('--events <n>', 'stop after exactly N events in total')
    .option('--duration <ms>', 'stop after this long (500, 10s, 1m)')
    .option('--prefix <name>', 'stream name prefix (default greenhouse)')
    .option('--seed <seed>', 'seed the generator (reproducible events for the same stream states)')
    .addHelpText(
      'after',
      examples(
        'produce --producers 3 --batch 10 --period 100 --duration 10s',
        'produce --events 1000 --batch 50 --period 0 --json   # {"events":1000,"ratePerSec":...,"streams":{...}}',
      ) + '\n\nWithout --events or --duration it runs until Ctrl+C. Exits 1 when no append succeeded.',
    );
  cmd.action(
    run(async (config) => {
      const f = cmd.opts<ProduceFlags>();
      const producers = intOpt(f.producers, '--producers', { min: 1, fallback: 3 })!;
      const batch = intOpt(f.batch, '--batch', { min: 1, fallback: 1 })!;
      const periodMs = intOpt(f.period, '--period', { min: 0, fallback: 100 })!;
      const events = intOpt(f.events, '--events', { min: 1 });
      const durationMs = durationOpt(f.duration, '--duration');
      if (f.prefix !== undefined && !f.prefix.trim()) throw new UsageError('--prefix must not be empty');
      return withGater(config, async (gater) => {
        // Fail fast (exit 3) when no node serves the store, instead of producers retrying quietly.
        await gater.api.getVersion(config.store, `${f.prefix ?? 'greenhouse'}1`);
        const signal = onStopSignal();
        const tty = process.stderr.isTTY === true;
        const quiet = config.logLevel === 'silent' || config.logLevel === 'error';
        const show = (p: ProduceProgress) => {
          if (quiet) return;
          const line = `🏭 produced ${plural(p.events, 'event')} in ${(p.elapsedMs / 1000).toFixed(1)} s (${p.ratePerSec}/s)`;
          process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
        };
        try {
          const summary = await runProducers(gater.api, config.store, {
            producers,
            batch,
            periodMs,
            events,
            durationMs,
            prefix: f.prefix,
            seed: f.seed,
            stop: signal.promise,
            onProgress: show,
          });
          if (tty && !quiet) process.stderr.write('\n');
          createOutput(config.json).result({ ...summary }, () =>
            [
              `✅ ${plural(summary.events, 'event')} in ${plural(summary.appends, 'append')} over ${(summary.elapsedMs / 1000).toFixed(1)} s (${summary.ratePerSec}/s)`,
              ...Object.entries(summary.streams).map(
                ([s, v]) =>
                  `  • ${s}: ${plural(v.events, 'event')}, version ${v.version}${v.lastError ? `  ❌ ${v.lastError}` : ''}`,
              ),
            ].join('\n'),
          );
          if (summary.events === 0 && summary.lastError)
            throw new CommandFailed('produce_failed', `no append succeeded: ${summary.lastError}`);
          return 0;
        } finally {
          signal.dispose();
        }
      });
    }),
  );
}
