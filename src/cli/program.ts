import { Command, CommanderError, Option } from 'commander';
import { toGaterError } from '../core/errors.js';
import { resolveConfig, type Config, type GlobalFlags } from './config.js';
import { EXIT, UsageError, exitCodeFor } from './exitCodes.js';
import { registerStatus } from './commands/status.js';

/** Wraps a command body: resolves config, maps errors to exit codes and one-line messages (never a stack). */
export type Runner = (fn: (config: Config) => Promise<number>) => (...args: unknown[]) => Promise<void>;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ex-esdb-console')
    .description('Test and monitor an ExESDB-style event store: interactive console, scripted commands and store nodes.')
    .option('--store <store>', 'store id (env EX_ESDB_STORE, default reg_gh)')
    .option('--storage <spec>', 'embedded/node storage: memory | sqlite:<file> | postgres://... (env EX_ESDB_STORAGE)')
    .option('--cluster', 'discover store nodes by gossip instead of running embedded')
    .option('--connect <seeds>', 'connect to nodes host:port,... without gossip')
    .option('--secret <secret>', 'gossip secret (env EX_ESDB_CLUSTER_SECRET)')
    .option('--cookie <cookie>', 'transport cookie (env EX_ESDB_COOKIE, RELEASE_COOKIE)')
    .option('--gossip-port <port>', 'gossip UDP port (env EX_ESDB_CLUSTER_PORT, default 45892)')
    .option('--gossip-addr <addr>', 'gossip multicast group (env EX_ESDB_GOSSIP_MULTICAST_ADDR, default 239.255.0.1)')
    .option('--gossip-if <addr>', 'gossip interface (env EX_ESDB_CLUSTER_INTERFACE, default 0.0.0.0)')
    .option('--json', 'one JSON object per line on stdout')
    .option('--timeout <ms>', 'per-call timeout in ms (default 5000)')
    .addOption(new Option('--log-level <level>', 'debug | info | warn | error | silent (env LOG_LEVEL)'))
    .option('--no-color', 'plain output')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const run: Runner =
    (fn) =>
    async () => {
      let code: number;
      try {
        const config = resolveConfig(program.opts<GlobalFlags>());
        code = await fn(config);
      } catch (e) {
        code = exitCodeFor(e);
        const msg = e instanceof UsageError ? e.message : toGaterError(e).message;
        const json = program.opts<GlobalFlags>().json;
        if (json && !(e instanceof UsageError)) {
          const ge = toGaterError(e);
          process.stdout.write(`${JSON.stringify({ error: { code: ge.code, message: ge.message, details: ge.details } })}\n`);
        }
        process.stderr.write(`❌ ${msg}\n`);
      }
      process.exitCode = code;
    };

  registerStatus(program, run);
  return program;
}

/** Parses argv; commander usage errors exit 2, help and version exit 0. */
export async function runProgram(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    throw e;
  }
}
