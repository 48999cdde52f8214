import {
  GOSSIP_DEFAULTS,
  colorLevel,
  parseHostPort as parseHostPortCore,
  parseStorageSpec,
  toGaterError,
} from '../core/index.js';
import { UsageError } from './exitCodes.js';
import { parseLogLevel, type LogLevel } from './logger.js';
import { beamCookieFrom, credentialFrom } from './secrets.js';
import { readTlsFiles, tlsContext, type TlsOptions } from '../core/transport/index.js';

/** Global flags as commander parses them (all optional strings/booleans). */
export interface GlobalFlags {
  store?: string;
  storage?: string;
  cluster?: boolean;
  connect?: string;
  secret?: string;
  cookie?: string;
  secretFile?: string;
  cookieFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  beam?: string;
  gossipPort?: string;
  gossipAddr?: string;
  gossipIf?: string;
  json?: boolean;
  timeout?: string;
  logLevel?: string;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  /** A named context (`context add`) whose settings fill in what the flags leave out. */
  context?: string;
}

/** Flags override environment, which overrides defaults (DESIGN §6). */
export interface Config {
  /** The context whose settings were applied, if any (shown by status and the console header). */
  context: string | undefined;
  store: string;
  storage: string;
  /** Gossip discovery on (by --cluster, or a secret given by --secret or EX_ESDB_CLUSTER_SECRET). */
  cluster: boolean;
  /** Static seeds `host:port`. */
  connect: string[];
  /** The configured gossip secret, if any (see `credentialOrGenerated` for the generated one). Never logged. */
  secret: string | undefined;
  /** The configured cookie, if any (see `credentialOrGenerated` for the generated one). Never logged. */
  cookie: string | undefined;
  /** Files the secret and the cookie were read from (for the permission warning), when they were. */
  secretFile: string | undefined;
  cookieFile: string | undefined;
  /** Mutual TLS on links (the PEM contents of --tls-cert, --tls-key, --tls-ca), checked at start; else plain TCP. */
  tls: TlsOptions | undefined;
  /** ExESDB (BEAM) nodes to link to as a hidden Erlang node, or `auto` (the ones gossip hears). */
  beam: string[] | 'auto' | undefined;
  gossipPort: number;
  gossipAddr: string;
  gossipIf: string;
  /** Gossip heartbeat interval (env EX_ESDB_HEARTBEAT_MS, default 1000 ms). */
  heartbeatMs: number;
  json: boolean;
  timeoutMs: number;
  logLevel: LogLevel;
  color: boolean;
  pubSub: string;
}

export type Env = Record<string, string | undefined>;

export function resolveConfig(flags: GlobalFlags, env: Env = process.env): Config {
  const secretFrom = credentialFrom('secret', { value: flags.secret, file: flags.secretFile }, env);
  const beam = parseBeamFlag(flags.beam ?? env.EX_ESDB_BEAM_NODES);
  // --beam links to an Erlang cluster: its cookie comes in Erlang's order (beamCookieFrom), ours in our own.
  const cookieGiven = { value: flags.cookie, file: flags.cookieFile };
  const cookieFrom = beam ? beamCookieFrom(cookieGiven, env) : credentialFrom('cookie', cookieGiven, env);
  const secret = secretFrom?.value;
  // EX_ESDB_CONNECT plays NATS_URL's part: seeds for every command without typing --connect.
  const connect = (flags.connect ?? env.EX_ESDB_CONNECT ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const seed of connect) parseHostPort(seed, flags.connect === undefined ? 'EX_ESDB_CONNECT' : '--connect');
  return {
    context: flags.context,
    store: flags.store ?? env.EX_ESDB_STORE ?? 'reg_gh',
    storage: parseStorageFlag(flags.storage ?? env.EX_ESDB_STORAGE ?? 'memory'),
    // A gossip secret only means something in a cluster, so giving one (flag, file or environment) turns gossip on.
    cluster: flags.cluster === true || (secret !== undefined && secret !== ''),
    connect,
    secret,
    cookie: cookieFrom?.value,
    secretFile: secretFrom?.origin.from === 'file' ? secretFrom.origin.path : undefined,
    cookieFile: cookieFrom?.origin.from === 'file' ? cookieFrom.origin.path : undefined,
    tls: resolveTls(flags, env),
    beam,
    gossipPort: parsePort(
      flags.gossipPort ?? env.EX_ESDB_CLUSTER_PORT ?? String(GOSSIP_DEFAULTS.gossipPort),
      '--gossip-port / EX_ESDB_CLUSTER_PORT',
    ),
    gossipAddr: flags.gossipAddr ?? env.EX_ESDB_GOSSIP_MULTICAST_ADDR ?? GOSSIP_DEFAULTS.multicastAddr,
    gossipIf: flags.gossipIf ?? env.EX_ESDB_CLUSTER_INTERFACE ?? GOSSIP_DEFAULTS.interfaceAddr,
    heartbeatMs: parsePositiveInt(
      env.EX_ESDB_HEARTBEAT_MS ?? String(GOSSIP_DEFAULTS.heartbeatMs),
      'EX_ESDB_HEARTBEAT_MS',
    ),
    json: flags.json === true,
    timeoutMs: parsePositiveInt(flags.timeout ?? '5000', '--timeout'),
    // An explicit --log-level wins over -q / -v, which win over LOG_LEVEL.
    logLevel: parseLogLevel(
      flags.logLevel ?? (flags.verbose ? 'debug' : flags.quiet ? 'error' : undefined) ?? env.LOG_LEVEL,
    ),
    // colour allowed at all (chalk then follows the terminal and FORCE_COLOR's depth)
    color: colorLevel(flags.color, env, 1) > 0,
    pubSub: env.EX_ESDB_PUB_SUB ?? 'ex_esdb_pubsub',
  };
}

const TLS_PARTS = [
  { part: 'cert', flag: '--tls-cert', env: 'EX_ESDB_TLS_CERT' },
  { part: 'key', flag: '--tls-key', env: 'EX_ESDB_TLS_KEY' },
  { part: 'ca', flag: '--tls-ca', env: 'EX_ESDB_TLS_CA' },
] as const;

/**
 * `--tls-cert` / `--tls-key` / `--tls-ca` (each flag over its `EX_ESDB_TLS_*` variable): all three or none. The
 * files are read and checked here, so a missing file or a key of another certificate is a usage error at start.
 */
export function resolveTls(flags: GlobalFlags, env: Env): TlsOptions | undefined {
  const given = TLS_PARTS.map(({ part, flag, env: name }) => {
    const fromFlag = { cert: flags.tlsCert, key: flags.tlsKey, ca: flags.tlsCa }[part];
    const path = fromFlag ?? (env[name] === '' ? undefined : env[name]);
    return { part, path, name: fromFlag !== undefined ? flag : name };
  });
  const missing = given.filter((g) => g.path === undefined);
  if (missing.length === 3) return undefined;
  if (missing.length > 0)
    throw new UsageError(
      `TLS needs all of --tls-cert, --tls-key and --tls-ca (or EX_ESDB_TLS_CERT/KEY/CA); missing ${missing
        .map((m) => TLS_PARTS.find((p) => p.part === m.part)!.flag)
        .join(', ')}`,
    );
  const [cert, key, ca] = given as [(typeof given)[0], (typeof given)[0], (typeof given)[0]];
  try {
    const tls = readTlsFiles(
      { cert: cert.path!, key: key.path!, ca: ca.path! },
      { cert: cert.name, key: key.name, ca: ca.name },
    );
    tlsContext(tls);
    return tls;
  } catch (e) {
    throw new UsageError(toGaterError(e).message);
  }
}

/** `--beam` / EX_ESDB_BEAM_NODES: `auto` or `name@host,…`; a malformed name is a usage error. */
export function parseBeamFlag(v: string | undefined): string[] | 'auto' | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  if (v.trim() === 'auto') return 'auto';
  const nodes = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of nodes)
    if (!/^[^@\s]+@[^@\s]+$/.test(n))
      throw new UsageError(`--beam / EX_ESDB_BEAM_NODES expects name@host[,name@host…] or auto, got "${n}"`);
  return nodes;
}

/** A storage spec's shape is checked here, so a typo is a usage error (exit 2) before anything starts. */
export function parseStorageFlag(spec: string): string {
  try {
    parseStorageSpec(spec);
    return spec;
  } catch (e) {
    throw new UsageError(`--storage / EX_ESDB_STORAGE: ${toGaterError(e).message}`);
  }
}

export function parsePort(v: string, what: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 0 || n > 65535) throw new UsageError(`${what} must be a port number 0-65535, got "${v}"`);
  return n;
}

export function parsePositiveInt(v: string, what: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${what} must be a positive integer, got "${v}"`);
  return Number(v);
}

export function parseHostPort(v: string, what: string): { host: string; port: number } {
  try {
    return parseHostPortCore(v, what);
  } catch (e) {
    throw new UsageError(toGaterError(e).message);
  }
}
