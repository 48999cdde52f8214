import { GOSSIP_DEFAULTS, type LogFn } from '../core/index.js';
import { credentialOrGenerated } from './credentials.js';
import type { TlsOptions } from '../core/transport/index.js';
import type { StorageAdapter } from '../node/storage/storageAdapter.js';

/**
 * How to open a gateway (DESIGN §3). Plain data: the CLI maps its flags and environment onto it, a program
 * using the package writes it directly. Embedded when neither `connect` nor `gossip` is given.
 */
export interface GatewayOptions {
  /** The store the console and commands work on, and that an embedded node hosts (default `reg_gh`). */
  store?: string;
  /** Storage of the embedded node: `memory` (default), `sqlite:<file>`, `postgres://...`, or an adapter. */
  storage?: string | StorageAdapter;
  /** Static seeds `host:port` of store nodes to connect to (cluster mode; retried for ever). */
  connect?: string[];
  /**
   * Cookie of the TCP handshake (cluster mode). Default: a strong random one generated once in a user-only file in
   * `credentialDir` and reused (the CLI's own), never a fixed development value; a weak one is warned about.
   */
  cookie?: string;
  /** Where a generated cookie and gossip secret live (default `$XDG_CONFIG_HOME/ex-esdb-console`, 0700). */
  credentialDir?: string;
  /**
   * Mutual TLS on the links to store nodes (cluster mode): PEM certificate and key of this gateway, and the CA the
   * nodes' certificates must be signed by (`readTlsFiles` reads them from files). Default: plain TCP.
   */
  tls?: TlsOptions;
  /**
   * ExESDB (Elixir) nodes `name@host` to link to as a hidden Erlang node, or `auto` for the BEAM nodes gossip
   * hears (beam mode; `cookie` is then the Erlang cookie, required).
   */
  beam?: string[] | 'auto';
  /** Find store nodes by UDP gossip (cluster mode; with `beam: 'auto'`, the BEAM nodes). */
  gossip?: GossipOptions;
  /** Per-call timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Wait for a worker of the store before `no_workers` (default 5000 ms). */
  noWorkersWaitMs?: number;
  /** Workers per store on the embedded node (default 1). */
  poolSize?: number;
  /** Name of the local pubsub, shown by status (default `ex_esdb_pubsub`). */
  pubSub?: string;
  /** Where log lines go (default: nowhere). */
  log?: LogFn;
}

/** Gossip options with every default filled in (the secret with its one development-default warning). */
export type ResolvedGossip = Required<GossipOptions>;

/**
 * Gossip options with their defaults. The secret: the one given, else `defaultSecret` when the caller has one
 * (beam mode listens with ExESDB's own default), else the generated one in `credentialDir`.
 */
export function resolveGossip(
  g: GossipOptions,
  log: LogFn,
  credentialDir?: string,
  defaultSecret?: (log: LogFn) => string,
): ResolvedGossip {
  const secret =
    (g.secret === undefined || g.secret === '') && defaultSecret
      ? defaultSecret(log)
      : credentialOrGenerated('secret', { value: g.secret, dir: credentialDir }, log);
  return {
    secret,
    port: g.port ?? GOSSIP_DEFAULTS.gossipPort,
    addr: g.addr ?? GOSSIP_DEFAULTS.multicastAddr,
    iface: g.iface ?? GOSSIP_DEFAULTS.interfaceAddr,
    heartbeatMs: g.heartbeatMs ?? GOSSIP_DEFAULTS.heartbeatMs,
  };
}

export interface GossipOptions {
  /** Shared secret of the heartbeats (default: the generated one, as for the cookie; a weak one is warned about). */
  secret?: string;
  /** UDP port (default 45892). */
  port?: number;
  /** Multicast group (default 239.255.0.1). */
  addr?: string;
  /** Interface to send and listen on (default 0.0.0.0; tests and local trials: 127.0.0.1). */
  iface?: string;
  /** Heartbeat interval (default 1000 ms). */
  heartbeatMs?: number;
}
