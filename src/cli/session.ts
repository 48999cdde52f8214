import type { Gater, LogFn } from '../core/index.js';
import type { GatewayOptions } from '../gateway/index.js';
import type { Config } from './config.js';
import { createLogger } from './logger.js';
import { UsageError } from './exitCodes.js';

/** The command line's configuration as gateway options: the only place that knows both shapes. */
export function gatewayOptions(config: Config, log: LogFn): GatewayOptions {
  return {
    store: config.store,
    storage: config.storage,
    connect: config.connect,
    cookie: config.cookie,
    tls: config.tls,
    beam: config.beam,
    // Gossip finds our store nodes (--cluster) or, with --beam auto, the foreign BEAM nodes to link to.
    gossip:
      config.cluster || config.beam === 'auto'
        ? {
            secret: config.secret,
            port: config.gossipPort,
            addr: config.gossipAddr,
            iface: config.gossipIf,
            heartbeatMs: config.heartbeatMs,
          }
        : undefined,
    timeoutMs: config.timeoutMs,
    pubSub: config.pubSub,
    log,
  };
}

/**
 * Starts the gateway the command line asks for: embedded by default, cluster when --cluster / --connect or a
 * secret in the environment says so.
 */
export async function openGater(config: Config, logOverride?: LogFn): Promise<Gater> {
  const log = logOverride ?? oneShotLog(createLogger(config.logLevel, { color: config.color }));
  // The cluster's cookie and secret as the CLI finds them (flag, file, environment, or a generated file).
  const { credentialOrGenerated } = await import('./secrets.js');
  let cookie = config.cookie;
  if (!config.beam && (config.cluster || config.connect.length > 0))
    cookie = credentialOrGenerated('cookie', { value: config.cookie, file: config.cookieFile }, log);
  const secret = config.cluster
    ? credentialOrGenerated('secret', { value: config.secret, file: config.secretFile }, log)
    : config.secret;
  if (config.beam) {
    // An ExESDB cluster's cookie is the Erlang one (config's beamCookieFrom order), else ~/.erlang.cookie as `erl`
    // reads it, else a usage error.
    const { defaultErlangCookie } = await import('../core/index.js');
    const { readableByOthers } = await import('./secrets.js');
    if (config.cookieFile !== undefined && readableByOthers(config.cookieFile))
      log(
        'warn',
        `🏭 [System] ⚠️  ${config.cookieFile} holds the Erlang cookie and other users can read it: chmod 600 ${config.cookieFile}`,
      );
    cookie ??= defaultErlangCookie();
    if (cookie === undefined)
      throw new UsageError(
        "--beam needs the cluster's Erlang cookie: --cookie, --cookie-file, RELEASE_COOKIE, EX_ESDB_COOKIE or ~/.erlang.cookie",
      );
  }
  // Loaded on first use, so --help and usage errors never load the node, transport or gossip code.
  const { startGater } = await import('../gateway/index.js');
  const options = gatewayOptions(config, log);
  return startGater({ ...options, cookie, gossip: options.gossip && { ...options.gossip, secret } });
}

/**
 * Scripted commands start and stop a whole gateway per call; its lifecycle lines (workers up, connected, closed)
 * would bury the command's own output, so they are logged at debug (`-v` shows them). Warnings and errors stay.
 */
export function oneShotLog(log: LogFn): LogFn {
  return (level, msg) => log(level === 'info' ? 'debug' : level, msg);
}
