import type { LogFn } from './log.js';

/** Development cookie of the TCP handshake, used (with a warning) when none is configured. */
export const DEV_COOKIE = 'dev_cookie';
/** Development gossip secret, used (with a warning) when none is configured. */
export const DEV_SECRET = 'dev_cluster_secret';

/**
 * The configured cookie or secret, or the development default with one warning saying where to set a real one.
 * One place, so the gateway and the node say the same thing.
 */
export function orDevDefault(value: string | undefined, what: 'cookie' | 'secret', log: LogFn): string {
  if (value !== undefined && value !== '') return value;
  const where = what === 'cookie' ? 'EX_ESDB_COOKIE / --cookie' : 'EX_ESDB_CLUSTER_SECRET / --secret';
  log(
    'warn',
    `🏭 [System] no cluster ${what} configured; using the development default. Set ${where} for anything shared.`,
  );
  return what === 'cookie' ? DEV_COOKIE : DEV_SECRET;
}
