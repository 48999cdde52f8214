import type { Command } from 'commander';
import type { RunNodeOptions } from '../runNode.js';
import { parsePort } from '../config.js';
import { UsageError } from '../exitCodes.js';
import { intOpt } from '../options.js';
import type { Runner } from '../runner.js';
import { examples } from './common.js';

interface NodeFlags {
  port?: string;
  host?: string;
  poolSize?: string;
  stores?: string;
  name?: string;
  gossip?: boolean;
}

export function registerNode(program: Command, run: Runner): void {
  const cmd = program
    .command('node')
    .description('run a headless store node: hosts stores and gateway workers, serves TCP, announces itself by gossip')
    .option('--port <n>', 'TCP port (env EX_ESDB_NODE_PORT; default 0 = any free port)')
    .option('--host <addr>', 'address to listen on (default 127.0.0.1)')
    .option('--pool-size <n>', 'gateway workers per store (default 1)')
    .option('--stores <a,b>', 'stores to host (default the --store)')
    .option('--name <name@host>', 'node name (default node_<pid>@<hostname>)')
    .option('--no-gossip', 'do not announce by gossip (clients reach it with --connect only)')
    .addHelpText(
      'after',
      examples(
        'node --port 7001 --cookie s3cret --storage sqlite:./reg_gh.db',
        'node --cluster --gossip-if 127.0.0.1 --secret s3 --cookie s3cret --stores reg_gh,other',
        'node --port 7001 --no-gossip --cookie s3cret   # reach it with --connect 127.0.0.1:7001',
        'node --port 0 --json   # first stdout line: {"event":"node_started","name":...,"address":"127.0.0.1:40123","stores":[...]}',
      ) + '\n\nRuns until SIGINT/SIGTERM.',
    );
  cmd.action(
    run(async (config) => {
      const f = cmd.opts<NodeFlags>();
      const portText = f.port ?? process.env.EX_ESDB_NODE_PORT;
      const stores = f.stores
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (stores !== undefined && stores.length === 0)
        throw new UsageError('--stores needs at least one store id, e.g. --stores reg_gh,orders');
      const opts: RunNodeOptions = {
        port: portText === undefined ? 0 : parsePort(portText, '--port / EX_ESDB_NODE_PORT'),
        host: f.host ?? '127.0.0.1',
        poolSize: intOpt(f.poolSize, '--pool-size', { min: 1, fallback: 1 }),
        stores: stores ?? [config.store],
      };
      if (f.name !== undefined) opts.name = f.name;
      if (f.gossip === false) opts.gossip = false;
      // Loaded lazily: other commands never load the node runtime.
      const { runNode } = await import('../runNode.js');
      return runNode(config, opts);
    }),
  );
}
