import type { Command } from 'commander';
import { colorLine, makeChalk, seenLine } from '../../scripted/eventLines.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';
import { addLiveOptions, planLive, runLive, type LiveFlags } from './live.js';

export function registerObserve(program: Command, run: Runner): void {
  const cmd = addLiveOptions(
    program
      .command('observe')
      .description('watch events live (a transient observer): SEEN lines, or one JSON record per line with --json')
      .option(
        '--from <position>',
        'replay from this stream version ($<stream>) or global position (default: live only)',
      ),
  ).addHelpText(
    'after',
    examples(
      'observe',
      `observe --type temperature_measured:v1 --count 10 --json`,
      `observe --payload '%{operator: "John"}' --duration 30s`,
      'observe --stream greenhouse1 --from 0 --count 5 --duration 2s --json',
    ),
  );
  cmd.action(
    run(async (config) => {
      const plan = planLive(cmd.opts<LiveFlags>());
      const c = makeChalk(config.color);
      return withGater(config, async (gater) => {
        return runLive(
          config,
          plan,
          async () => {
            const { type, selector } = plan.target;
            const from = plan.from ?? (await gater.api.liveStart(config.store, type, selector));
            return gater.api.subscribe(config.store, type, selector, { startFrom: from });
          },
          (e) => {
            process.stdout.write(`${config.json ? JSON.stringify(e) : colorLine(c, seenLine(e))}\n`);
          },
          'observing',
        );
      });
    }),
  );
}
