import type { Command } from 'commander';
import { colorLine, makeChalk, receivedLine } from '../../scripted/eventLines.js';
import { writeLine } from '../../scripted/writeLine.js';
import { UsageError } from '../exitCodes.js';
import { intOpt } from '../options.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';
import { addLiveOptions, planLive, runLive, type LiveFlags } from './live.js';

interface SubscribeFlags extends LiveFlags {
  name?: string;
  ack?: boolean;
  ackTimeout?: string;
  maxRetries?: string;
  replace?: boolean;
}

export function registerSubscribe(program: Command, run: Runner): void {
  const cmd = addLiveOptions(
    program
      .command('subscribe')
      .description('receive events of a named persistent subscription: RECEIVED lines, or JSON records with --json')
      .requiredOption('--name <name>', 'subscription name (the stored record and its checkpoint are kept under it)')
      .option('--from <position>', 'start of a new subscription (default 0); an existing one resumes at its checkpoint')
      .option('--ack', 'acknowledge each event after printing it (moves the checkpoint)')
      .option('--ack-timeout <ms>', 'redeliver unacked events after this long (default 30000)')
      .option(
        '--max-retries <n>',
        'redeliveries of an unacked event before it is parked (default 10): N means at most N+1 deliveries',
      )
      .option('--replace', 'replace an existing subscription of this name that has another selector'),
  ).addHelpText(
    'after',
    examples(
      'subscribe --name audit --stream greenhouse1 --ack',
      'subscribe --name audit --stream greenhouse1 --ack --count 10 --json',
      'subscribe --name audit --stream greenhouse2 --replace   # the name now follows greenhouse2',
      'subscriptions --json   # checkpoint, inFlight, parked, lag',
    ),
  );
  cmd.action(
    run(async (config) => {
      const f = cmd.opts<SubscribeFlags>();
      const plan = planLive(f);
      const name = f.name?.trim();
      if (!name || name === 'transient')
        throw new UsageError(
          '--name must name a persistent subscription (not "transient"); use observe for a live view',
        );
      const ackTimeoutMs = intOpt(f.ackTimeout, '--ack-timeout', { min: 1 });
      const maxRetries = intOpt(f.maxRetries, '--max-retries', { min: 0 });
      const c = makeChalk(config.color);
      return withGater(config, async (gater) => {
        return runLive(
          config,
          plan,
          () =>
            gater.api.subscribe(config.store, plan.target.type, plan.target.selector, {
              name,
              startFrom: plan.from ?? 0,
              options: {
                ...(ackTimeoutMs !== undefined ? { ackTimeoutMs } : {}),
                ...(maxRetries !== undefined ? { maxRetries } : {}),
                ...(f.replace ? { replace: true } : {}),
              },
            }),
          async (e, sub) => {
            // ack only once the line has left the process (write callback); a closed pipe rejects: no ack
            await writeLine(process.stdout, config.json ? JSON.stringify(e) : colorLine(c, receivedLine(name, e)));
            if (f.ack) await sub.ack(e);
          },
          `subscription "${name}" receiving`,
        );
      });
    }),
  );
}
