import type { Gater } from '../gater.js';
import type { Config } from './config.js';
import { createLogger } from './logger.js';

/**
 * Starts the gateway the command line asks for: embedded by default, cluster when --cluster / --connect or a
 * secret in the environment says so.
 */
export async function openGater(
  config: Config,
  logOverride?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void,
): Promise<Gater> {
  const log = logOverride ?? createLogger(config.logLevel, { color: config.color });
  if (config.cluster || config.connect.length > 0) {
    const { startClusterGater } = await import('../clusterGater.js');
    return startClusterGater({ config, log });
  }
  const { startGater } = await import('../gater.js');
  return startGater({ store: config.store, storage: config.storage, timeoutMs: config.timeoutMs, log });
}
