import type { Gater } from '../gater.js';
import type { Config } from './config.js';
import type { LogFn } from '../node/storeNode.js';
import { createLogger } from './logger.js';
import { UsageError } from './exitCodes.js';

/**
 * Starts the gateway the command line asks for: embedded by default, cluster when --cluster / --connect or a
 * secret in the environment says so.
 */
export async function openGater(
  config: Config,
  logOverride?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void,
): Promise<Gater> {
  const log = logOverride ?? oneShotLog(createLogger(config.logLevel, { color: config.color }));
  if (config.beam) {
    const { startBeamGater } = await import('../beamGater.js');
    const { defaultErlangCookie } = await import('../core/beam/cookie.js');
    const cookie = config.cookie ?? defaultErlangCookie();
    if (cookie === undefined)
      throw new UsageError(
        "--beam needs the cluster's Erlang cookie: --cookie, EX_ESDB_COOKIE, RELEASE_COOKIE or ~/.erlang.cookie",
      );
    return startBeamGater({
      nodes: config.beam,
      cookie,
      store: config.store,
      timeoutMs: config.timeoutMs,
      log,
      gossip:
        config.beam === 'auto'
          ? {
              secret: config.secret ?? 'dev_cluster_secret',
              port: config.gossipPort,
              addr: config.gossipAddr,
              iface: config.gossipIf,
              heartbeatMs: Number(process.env.EX_ESDB_HEARTBEAT_MS) || 1000,
            }
          : undefined,
    });
  }
  if (config.cluster || config.connect.length > 0) {
    const { startClusterGater } = await import('../clusterGater.js');
    return startClusterGater({ config, log });
  }
  const { startGater } = await import('../gater.js');
  return startGater({ store: config.store, storage: config.storage, timeoutMs: config.timeoutMs, log });
}

/**
 * Scripted commands start and stop a whole gateway per call; its lifecycle lines (workers up, connected, closed)
 * would bury the command's own output, so they are logged at debug (`-v` shows them). Warnings and errors stay.
 */
export function oneShotLog(log: LogFn): LogFn {
  return (level, msg) => log(level === 'info' ? 'debug' : level, msg);
}
