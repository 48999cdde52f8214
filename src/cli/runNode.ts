import { hostname } from 'node:os';
import type { Config } from './config.js';
import { createLogger } from './logger.js';
import { startNode } from '../node/startNode.js';
import { credentialOrGenerated } from './secrets.js';

export interface RunNodeOptions {
  /** TCP port (0 = OS-assigned). */
  port?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  poolSize?: number;
  stores?: string[];
  name?: string;
  /** Gossip announcements (default on; off for --connect-only setups). */
  gossip?: boolean;
  /** Gossip heartbeat interval (default 1000 ms). */
  heartbeatMs?: number;
}

/**
 * `ex-esdb-console node`: a headless store node until SIGINT/SIGTERM. Prints one line on start
 * (`{"event":"node_started",...}` with --json) so scripts and tests learn the address.
 */
export async function runNode(config: Config, opts: RunNodeOptions = {}): Promise<number> {
  const log = createLogger(config.logLevel, { color: config.color });
  const cookie = credentialOrGenerated('cookie', { value: config.cookie, file: config.cookieFile }, log);
  const secret =
    opts.gossip === false
      ? undefined
      : credentialOrGenerated('secret', { value: config.secret, file: config.secretFile }, log);
  const node = await startNode({
    name: opts.name ?? `node_${process.pid}@${hostname()}`,
    stores: opts.stores && opts.stores.length > 0 ? opts.stores : [config.store],
    storage: config.storage,
    poolSize: opts.poolSize,
    log,
    listen: {
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 0,
      cookie,
      tls: config.tls,
      // Tuning knobs (tests use short ones): the handshake and a started frame must complete within these.
      handshakeTimeoutMs: Number(process.env.EX_ESDB_HANDSHAKE_TIMEOUT_MS) || undefined,
      frameTimeoutMs: Number(process.env.EX_ESDB_FRAME_TIMEOUT_MS) || undefined,
    },
    gossip:
      secret === undefined
        ? undefined
        : {
            secret,
            gossipPort: config.gossipPort,
            multicastAddr: config.gossipAddr,
            interfaceAddr: config.gossipIf,
            heartbeatMs: opts.heartbeatMs ?? config.heartbeatMs,
          },
  });
  // Handlers first, then the "started" line: a supervisor may signal as soon as it reads that line.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log('info', `🏭 [System] ${signal}: stopping node ${node.name}`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  const started = {
    event: 'node_started',
    name: node.name,
    address: node.address,
    stores: node.node.announcement().stores,
    pid: process.pid,
  };
  process.stdout.write(
    config.json
      ? `${JSON.stringify(started)}\n`
      : `🏭 Store node ${node.name} listening on ${node.address}, hosting ${started.stores.join(', ')}\n`,
  );
  log('info', `🏭 [System] node ${node.name} is UP at ${node.address} (storage ${node.node.storage.target})`);
  await stopped;
  await node.stop();
  if (config.json) process.stdout.write(`${JSON.stringify({ event: 'node_stopped', name: node.name })}\n`);
  return 0;
}
