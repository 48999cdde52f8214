import type { Command } from 'commander';
import {
  CHECK_EXIT,
  GaterError,
  checkGaterCluster,
  checkFailed,
  checkLine,
  checkStore,
  checkSubscription,
  parseThreshold,
  type CheckResult,
} from '../../core/index.js';
import type { Config } from '../config.js';
import { parsePositiveInt } from '../config.js';
import type { Runner } from '../runner.js';
import { openGater } from '../session.js';
import { examples } from './common.js';
import { settle } from './status.js';

interface CheckFlags {
  minNodes?: string;
  maxLatency?: string;
  maxLag?: string;
  maxParked?: string;
  maxUnackedAge?: string;
  name?: string;
  wait?: string;
}

const HELP_AFTER = `
Thresholds are CRIT or WARN,CRIT: --max-lag 1000,5000 warns above 1000 and is critical above 5000;
--min-nodes 3,2 warns below 3 nodes and is critical below 2. Durations take ms, s or m (500ms,2s).

Exit codes (monitoring-plugin convention, unlike the other commands): 0 OK, 1 WARNING, 2 CRITICAL,
3 UNKNOWN (the cluster could not be asked, the subscription does not exist, or a flag is wrong).
One line "<CHECK> <STATUS> - reasons | metrics" on stdout; with --json one object {check, store, status,
code, reasons[], summary, metrics}.`;

/** The check subcommands: each one verdict, printed and turned into the exit code. */
export function registerCheck(program: Command, run: Runner): void {
  const check = program
    .command('check')
    .description('health checks for monitors and CI: check cluster | store | subscription (exit 0/1/2/3)')
    .addHelpText(
      'after',
      examples(
        'check cluster --connect 127.0.0.1:7001,127.0.0.1:7002 --min-nodes 2',
        'check store --max-latency 200ms,1s --json',
        'check subscription --name audit --max-lag 100,1000 --max-parked 0',
      ) + HELP_AFTER,
    );

  const sub = (name: 'cluster' | 'store' | 'subscription', description: string, lines: string[]) =>
    check
      .command(name)
      .description(description)
      .option('--wait <ms>', 'in cluster mode, how long to wait for the nodes to link first (default 2500)')
      .addHelpText('after', examples(...lines) + HELP_AFTER);

  const cluster = sub(
    'cluster',
    'nodes serving the store linked (>= --min-nodes), none down, store not split, no bad packets or refused handshakes',
    ['check cluster --min-nodes 3,2', 'check cluster --cluster --gossip-if 127.0.0.1 --json'],
  ).option('--min-nodes <n>', 'linked nodes serving the store: CRIT or WARN,CRIT (default 1)', '1');
  cluster.action(
    runCheck(run, 'cluster', cluster, async (_config, f, gater) => {
      const minNodes = parseThreshold(f.minNodes!, '--min-nodes');
      return checkGaterCluster(gater, { minNodes });
    }),
  );

  const store = sub('store', 'a write and a read-back round trip on the scratch stream ex-esdb-check, timed', [
    'check store',
    'check store --max-latency 100,500 --json',
  ]).option('--max-latency <ms>', 'write + read-back time: CRIT or WARN,CRIT (default 500,2000)', '500,2000');
  store.action(
    runCheck(run, 'store', store, async (config, f, gater) =>
      checkStore(gater.api, config.store, { maxLatency: parseThreshold(f.maxLatency!, '--max-latency', 'ms') }),
    ),
  );

  const subscription = sub('subscription', 'a named subscription: lag, parked events, oldest unacked event', [
    'check subscription --name audit',
    'check subscription --name audit --max-lag 10,1000 --max-parked 0 --json',
  ])
    .requiredOption('--name <name>', 'the subscription to check')
    .option('--max-lag <n>', 'events behind the head: CRIT or WARN,CRIT (default 1000,100000)', '1000,100000')
    .option('--max-parked <n>', 'parked events: CRIT or WARN,CRIT (default 0,100: any parked event warns)', '0,100')
    .option('--max-unacked-age <ms>', 'oldest unacked event: CRIT or WARN,CRIT (default 60s,5m)', '60s,5m');
  subscription.action(
    runCheck(run, 'subscription', subscription, async (config, f, gater) =>
      checkSubscription(gater.api, config.store, f.name!, {
        maxLag: parseThreshold(f.maxLag!, '--max-lag'),
        maxParked: parseThreshold(f.maxParked!, '--max-parked'),
        maxUnackedAge: parseThreshold(f.maxUnackedAge!, '--max-unacked-age', 'ms'),
      }),
    ),
  );
}

type Gater = Awaited<ReturnType<typeof openGater>>;

/**
 * Opens the gateway, waits for the cluster to link (so a check does not judge a cluster it has not met yet),
 * runs one check and prints it. Every error, a bad flag included, is an UNKNOWN verdict with exit 3.
 */
function runCheck(
  run: Runner,
  kind: CheckResult['check'],
  cmd: Command,
  measure: (config: Config, f: CheckFlags, gater: Gater) => Promise<CheckResult>,
) {
  let store = 'reg_gh';
  return run(
    async (config) => {
      store = config.store;
      const f = cmd.opts<CheckFlags>();
      const waitMs = f.wait === undefined ? 2500 : parsePositiveInt(f.wait, '--wait');
      const gater = await openGater(config);
      try {
        if (gater.mode === 'cluster') await settle(gater, config, waitMs);
        // Nobody to ask: say so now rather than after the API's wait for a worker.
        if (kind !== 'cluster' && gater.api.gatewayWorkersForStore(config.store).length === 0)
          throw new GaterError(
            'no_workers',
            `no node serving ${config.store} linked within ${waitMs} ms (--wait); is the cluster up, are --connect / gossip right?`,
          );
        return report(await measure(config, f, gater), config.json);
      } finally {
        await gater.stop();
      }
    },
    (e, json) => report(checkFailed(kind, store, e, 'UNKNOWN'), json),
  );
}

function report(r: CheckResult, json: boolean): number {
  const code = CHECK_EXIT[r.status];
  process.stdout.write(`${json ? JSON.stringify({ ...r, code }) : checkLine(r)}\n`);
  return code;
}
