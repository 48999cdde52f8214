import type { GaterApi } from './api/gaterApi.js';
import type { PubSub } from './api/pubsub.js';
import type { ClusterMonitor } from './cluster/clusterMonitor.js';
import type { WorkerRegistry } from './registry/workerRegistry.js';

/**
 * An opened gateway, as `startGater` (src/gateway) returns it and the console and scripted commands receive it.
 * Declared here so that the layers it is handed to need nothing from the assembly that built it.
 */
export interface Gater {
  readonly mode: 'embedded' | 'cluster' | 'beam';
  /** The store the console and commands work on. */
  readonly store: string;
  /** The embedded node's storage for display, any password masked (undefined in cluster and beam mode). */
  readonly storage: string | undefined;
  /** Kind of the embedded node's storage (memory | sqlite | postgres); undefined in cluster and beam mode. */
  readonly storageKind?: string;
  /** Name of the local pubsub (the reference's `EX_ESDB_PUB_SUB`), shown by status. */
  readonly pubSub: string;
  readonly api: GaterApi;
  readonly cluster: ClusterMonitor;
  readonly pubsub: PubSub;
  readonly registry: WorkerRegistry;
  /** Stops every subscription started through the API, then the links (and an embedded node). Idempotent. */
  stop(): Promise<void>;
}
