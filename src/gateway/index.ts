/** The gateway assembly (DESIGN §2): the one place that wires core, transport and an embedded node together. */
import type { Gater } from '../core/index.js';
import { startClusterGater } from './cluster.js';
import { startEmbeddedGater, type EmbeddedGater } from './embedded.js';
import type { GatewayOptions } from './options.js';

export type { GatewayOptions, GossipOptions } from './options.js';
export type { EmbeddedGater } from './embedded.js';
export type { Gater } from '../core/index.js';

/**
 * Starts a gateway. Embedded (an in-process node on `storage`, no sockets) unless `connect` seeds or `gossip`
 * are given; then a cluster gateway that keeps an authenticated TCP link to every store node it finds.
 */
export function startGater(
  options?: GatewayOptions & { connect?: undefined; gossip?: undefined },
): Promise<EmbeddedGater>;
export function startGater(options?: GatewayOptions): Promise<Gater>;
export function startGater(options: GatewayOptions = {}): Promise<Gater> {
  if ((options.connect?.length ?? 0) > 0 || options.gossip) return startClusterGater(options);
  return startEmbeddedGater(options);
}
