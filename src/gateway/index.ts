/** The gateway assembly (DESIGN §2): the one place that wires core, transport and an embedded node together. */
import type { Gater } from '../core/index.js';
import { startClusterGater } from './cluster.js';
import { startEmbeddedGater, type EmbeddedGater } from './embedded.js';
import { GaterError, orDevDefault } from '../core/index.js';
import { resolveGossip, type GatewayOptions } from './options.js';

export type { GatewayOptions, GossipOptions } from './options.js';
export type { EmbeddedGater } from './embedded.js';
export type { Gater } from '../core/index.js';

/**
 * Starts a gateway. Embedded (an in-process node on `storage`, no sockets) unless `connect` seeds or `gossip`
 * are given; then a cluster gateway that keeps an authenticated TCP link to every store node it finds.
 */
export function startGater(
  options?: GatewayOptions & { connect?: undefined; gossip?: undefined; beam?: undefined },
): Promise<EmbeddedGater>;
export function startGater(options?: GatewayOptions): Promise<Gater>;
export async function startGater(options: GatewayOptions = {}): Promise<Gater> {
  if (options.beam) return startBeam(options, options.beam);
  if ((options.connect?.length ?? 0) > 0 || options.gossip) return startClusterGater(options);
  return startEmbeddedGater(options);
}

/** Beam mode: linked to an Elixir ExESDB cluster over Erlang distribution (src/core/beam). */
async function startBeam(options: GatewayOptions, nodes: string[] | 'auto'): Promise<Gater> {
  if (!options.cookie)
    throw new GaterError('invalid_argument', "beam mode needs the cluster's Erlang cookie: set the cookie option");
  const log = options.log ?? (() => {});
  if (options.tls)
    log(
      'warn',
      '🏭 [System] ⚠️  TLS settings apply to links to our own store nodes; beam mode links over Erlang distribution, ' +
        'which they do not encrypt',
    );
  const g = options.gossip;
  const { startBeamGater } = await import('./beam.js');
  return startBeamGater({
    nodes,
    cookie: options.cookie,
    store: options.store ?? 'reg_gh',
    timeoutMs: options.timeoutMs,
    noWorkersWaitMs: options.noWorkersWaitMs,
    pubSub: options.pubSub,
    log,
    // `--beam auto` only listens to an ExESDB cluster's libcluster gossip: without a secret it listens with
    // ExESDB's own default (`dev_cluster_secret`, with a warning), the one such a cluster uses when none is set.
    gossip:
      nodes === 'auto'
        ? resolveGossip(g ?? {}, log, options.credentialDir, (l) => orDevDefault(undefined, 'secret', l))
        : undefined,
  });
}
