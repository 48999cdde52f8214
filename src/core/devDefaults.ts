import type { LogFn } from './log.js';

/**
 * ExESDB's development cookie. Our gateways and nodes never fall back to it: without a configured cookie they use
 * the generated one (src/gateway/credentials.ts).
 */
export const DEV_COOKIE = 'dev_cookie';
/**
 * ExESDB's default gossip secret (EXESDB_SPEC): only `--beam auto`, which listens to an ExESDB cluster's gossip,
 * uses it (with a warning) when no secret is configured.
 */
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
