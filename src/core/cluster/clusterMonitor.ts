import type { WorkerRegistry } from '../registry/workerRegistry.js';
import type { StorageGroupEvent } from '../registry/storageGroups.js';

import type { MemberState } from '../gossip/membership.js';
import { TypedEmitter, logListenerErrors } from '../util/typedEmitter.js';
import type { LogFn } from '../log.js';

/** A member's state: the gossip membership's, one type for both. */
export type { MemberState };

/** Cluster events (a discriminated union; consumers switch on `type`). */
export type ClusterEvent =
  | { type: 'node_up'; node: string; address: string; stores: string[] }
  | { type: 'node_suspect'; node: string; heartbeatAgeMs: number }
  | { type: 'node_down'; node: string; reason: string }
  | { type: 'foreign_node'; node: string; address: string }
  | { type: 'bad_packet'; from: string; count: number }
  | { type: 'unauthorized'; node: string; address: string; message: string }
  /** A store hosted by several storages (reads would differ) or moved to another storage (DESIGN §8). */
  | StorageGroupEvent;

export interface MemberView {
  name: string;
  role: string;
  state: MemberState;
  /** ms since the last heartbeat; null where no gossip is involved (embedded, static seeds). */
  heartbeatAgeMs: number | null;
  address: string;
  stores: string[];
  workers: number;
  connected: boolean;
  /**
   * Gossip heard it (an authenticated heartbeat). A hint only: anyone with the secret can make a name heard.
   * Absent where no gossip is involved.
   */
  heard?: boolean;
  /** An authenticated link proved its name (cookie handshake): only linked nodes are routed to. */
  linked?: boolean;
  /** BEAM (ExESDB) nodes linked over Erlang distribution: OTP release, PubSub membership, call latency. */
  beam?: {
    otpRelease: string;
    pubsubJoined: boolean;
    lastCallMs: number | null;
    avgCallMs: number | null;
    calls: number;
  };
}

export interface ClusterStatus {
  nodes: MemberView[];
  foreignNodes: { name: string; address: string; heartbeatAgeMs: number }[];
  badPackets: Record<string, number>;
  unauthorized: { node: string; address: string; message: string }[];
}

/** Where membership comes from: the registry alone (embedded) or gossip plus the registry (cluster). */
export interface MembershipSource {
  status(): ClusterStatus;
}

/**
 * ClusterMonitor: node up/suspect/down, heartbeat age, typed events (DESIGN §5). Read by the console and by
 * `status --cluster`. Listeners never break the emitter.
 */
export class ClusterMonitor {
  private readonly events: TypedEmitter<ClusterEvent>;
  private source: MembershipSource;

  /** @param log where a throwing listener is reported (default: a process warning). */
  constructor(registry: WorkerRegistry, log?: LogFn) {
    this.source = registrySource(registry);
    this.events = new TypedEmitter(log ? logListenerErrors(log, 'ClusterMonitor') : 'ClusterMonitor');
    registry.onGroupEvent((e) => this.emit(e));
  }

  setSource(source: MembershipSource): void {
    this.source = source;
  }

  on(listener: (e: ClusterEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  emit(e: ClusterEvent): void {
    this.events.emit(e);
  }

  nodes(): MemberView[] {
    return this.source.status().nodes;
  }

  status(): ClusterStatus {
    return this.source.status();
  }
}

/** Membership as the registry sees it: every linked node is alive. */
export function registrySource(registry: WorkerRegistry): MembershipSource {
  return {
    status: () => ({
      nodes: registry.links().map((l) => {
        const a = l.announcement();
        return {
          name: l.node,
          role: 'node',
          state: 'alive' as const,
          heartbeatAgeMs: null,
          address: l.address,
          stores: a.stores,
          workers: a.workers.length,
          connected: !l.closed,
          linked: !l.closed,
        };
      }),
      foreignNodes: [],
      badPackets: {},
      unauthorized: [],
    }),
  };
}
