import { Command, CommanderError, Option } from 'commander';
import { CHECK_EXIT, toGaterError } from '../core/index.js';
import { packageVersion } from './packageInfo.js';
import { resolveConfig, type GlobalFlags } from './config.js';
import { applyContext } from './contexts.js';
import { CommandFailed, EXIT, exitCodeFor, isUsageError } from './exitCodes.js';
import type { Runner } from './runner.js';
import { registerAppend } from './commands/append.js';
import { registerCheck } from './commands/check.js';
import { registerCompletion } from './commands/completion.js';
import { registerFollow } from './commands/follow.js';
import { registerContext } from './commands/context.js';
import { registerBench } from './commands/bench.js';
import { registerInteractive } from './commands/interactive.js';
import { registerNode } from './commands/node.js';
import { registerObserve } from './commands/observe.js';
import { registerProduce } from './commands/produce.js';
import { registerRead } from './commands/read.js';
import { registerScenario } from './commands/scenario.js';
import { registerSnapshot } from './commands/snapshot.js';
import { registerTransfer } from './commands/transfer.js';
import { registerStatus } from './commands/status.js';
import { registerStreams } from './commands/streams.js';
import { registerSubscribe } from './commands/subscribe.js';
import { registerSubscriptions } from './commands/subscriptions.js';
import { registerVersion } from './commands/version.js';

const EXAMPLES = `
Examples:
  $ ex-esdb-console                                   # the interactive console (on a terminal)
  $ ex-esdb-console status --json
  $ ex-esdb-console append greenhouse1 --generate 10 --seed 42 --json
  $ ex-esdb-console read greenhouse1 --count 5 --json
  $ ex-esdb-console node --port 7001 --cookie s3cret  # a headless store node
  $ ex-esdb-console --connect 127.0.0.1:7001 --cookie s3cret observe --stream '$all' --count 10 --json
  $ ex-esdb-console scenario basic-event-flow
  $ ex-esdb-console --beam ex_esdb@node0 --cookie s3cret status  # an Elixir ExESDB cluster

Secrets: flags are visible to other users of this machine (ps, /proc). Prefer --cookie-file / --secret-file
(or the environment); give PostgreSQL passwords by PGPASSWORD or ~/.pgpass, not in the --storage URL. With no
cookie or secret at all, a random one is generated once in ~/.config/ex-esdb-console (readable by you only).

Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 cluster unavailable (no_workers, timeout, unauthorized).
(\`check\` uses the monitoring convention instead: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.)
With --json every result is one JSON object per line on stdout (errors too); human text and logs go to stderr.
One-shot commands log gateway lifecycle lines at debug: -v shows them, -q keeps only errors.`;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ex-esdb-console')
    .description(
      'Test and monitor an ExESDB-style event store: interactive console, scripted commands and store nodes.',
    )
    .option(
      '--context <name>',
      'use a saved context for what the flags leave out (env EX_ESDB_CONTEXT; see context ls)',
    )
    .option('--store <store>', 'store id (env EX_ESDB_STORE, default reg_gh)')
    .option('--storage <spec>', 'embedded/node storage: memory | sqlite:<file> | postgres://... (env EX_ESDB_STORAGE)')
    .option('--cluster', 'discover store nodes by gossip instead of running embedded')
    .option('--connect <seeds>', 'connect to nodes host:port,... without gossip')
    .option('--secret <secret>', 'gossip secret; implies --cluster (env EX_ESDB_CLUSTER_SECRET) [visible in ps]')
    .option(
      '--secret-file <path>',
      'read the gossip secret from a file; implies --cluster (env EX_ESDB_CLUSTER_SECRET_FILE)',
    )
    .option('--cookie <cookie>', 'transport cookie (env EX_ESDB_COOKIE, RELEASE_COOKIE) [visible in ps]')
    .option('--cookie-file <path>', 'read the transport cookie from a file (env EX_ESDB_COOKIE_FILE)')
    .option('--tls-cert <file>', 'TLS on links: PEM certificate of this node or gateway (env EX_ESDB_TLS_CERT)')
    .option('--tls-key <file>', 'TLS on links: its PEM private key (env EX_ESDB_TLS_KEY)')
    .option('--tls-ca <file>', "TLS on links: PEM CA that signs every peer's certificate (env EX_ESDB_TLS_CA)")
    .option(
      '--beam <nodes>',
      'link to an Elixir ExESDB cluster as a hidden Erlang node: name@host,... or auto (env EX_ESDB_BEAM_NODES)',
    )
    .option('--gossip-port <port>', 'gossip UDP port (env EX_ESDB_CLUSTER_PORT, default 45892)')
    .option('--gossip-addr <addr>', 'gossip multicast group (env EX_ESDB_GOSSIP_MULTICAST_ADDR, default 239.255.0.1)')
    .option('--gossip-if <addr>', 'gossip interface (env EX_ESDB_CLUSTER_INTERFACE, default 0.0.0.0)')
    .option('--json', 'one JSON object per line on stdout')
    .option('--timeout <ms>', 'per-call timeout in ms (default 5000)')
    .addOption(new Option('--log-level <level>', 'debug | info | warn | error | silent (env LOG_LEVEL)'))
    .option('-q, --quiet', 'only errors on stderr (log level error)')
    .option('-v, --verbose', 'every log line on stderr, gateway lifecycle included (log level debug)')
    .option('--no-color', 'plain output')
    .version(packageVersion(), '-V, --version', 'print the package version and exit')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXAMPLES)
    .exitOverride();

  const run: Runner = (fn, onError) => async () => {
    let code: number;
    try {
      const config = resolveConfig(applyContext(program.opts<GlobalFlags>(), process.env));
      code = await fn(config);
    } catch (e) {
      const json = program.opts<GlobalFlags>().json === true;
      if (onError) code = onError(e, json);
      else {
        code = exitCodeFor(e);
        reportError(e, json);
      }
    }
    process.exitCode = code;
  };

  registerStatus(program, run);
  registerStreams(program, run);
  registerVersion(program, run);
  registerRead(program, run);
  registerFollow(program, run);
  registerAppend(program, run);
  registerObserve(program, run);
  registerSubscribe(program, run);
  registerSubscriptions(program, run);
  registerProduce(program, run);
  registerSnapshot(program, run);
  registerTransfer(program, run);
  registerScenario(program, run);
  registerCheck(program, run);
  registerNode(program, run);
  registerBench(program, run);
  registerInteractive(program, run);
  registerCompletion(program, run);
  registerContext(program, reportError);
  return program;
}

/** One line on stderr; with --json also `{"error":{code,message,details}}` on stdout (`usage_error` for bad input). */
export function reportError(e: unknown, json: boolean): void {
  if (isUsageError(e)) {
    if (json) writeJsonError('usage_error', e.message);
    process.stderr.write(`❌ ${e.message}\n`);
    return;
  }
  const err = e instanceof CommandFailed ? e : toGaterError(e);
  if (json) writeJsonError(err.code, err.message, err.details);
  process.stderr.write(`❌ ${err.message}\n`);
}

function writeJsonError(code: string, message: string, details: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ error: { code, message, details } })}\n`);
}

/** Parses argv; commander usage errors exit 2, help and version exit 0. */
export async function runProgram(argv: string[]): Promise<void> {
  const program = buildProgram();
  // `... --json | head -1`: a closed pipe ends the command quietly instead of throwing EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      // A monitor reads any exit code but 0-2 as UNKNOWN; `check` says so itself for a bad flag.
      if (process.exitCode === EXIT.usage && firstCommand(program, argv.slice(2)) === 'check')
        process.exitCode = CHECK_EXIT.UNKNOWN;
      // Commander already wrote its message to stderr; a --json caller also gets it as a JSON error line.
      if (process.exitCode === EXIT.usage && wantsJson(argv))
        writeJsonError('usage_error', e.message.replace(/^error: /, ''), { commanderCode: e.code });
      return;
    }
    throw e;
  }
}

/** Whether --json was on the command line (commander may fail before parsing it). */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * The command argv names (`--help`/`--version` count as one), or undefined. Values of global flags that take one
 * (`--connect 127.0.0.1:7001`) are skipped, so they are not mistaken for a command.
 */
export function firstCommand(program: Command, args: string[]): string | undefined {
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).map((o) => o.long));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h' || a === '--version' || a === '-V') return a;
    if (a === '--') return args[i + 1];
    if (a.startsWith('-')) {
      if (!a.includes('=') && takesValue.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}
