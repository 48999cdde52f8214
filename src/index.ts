/** Public programmatic API (DESIGN §3). */
export {
  startGater,
  type Gater,
  type EmbeddedGater,
  type GatewayOptions,
  type GossipOptions,
} from './gateway/index.js';
export { startNode, type NodeOptions, type RunningNode as StoreNodeHandle } from './node/startNode.js';
export { GaterError, isGaterError, type ErrorCode } from './core/errors.js';
export { readTlsFiles, type TlsFiles, type TlsOptions } from './core/transport/tls.js';
export { generateGreenhouseEvents, GREENHOUSE_EVENT_TYPES, OPERATORS } from './domain/greenhouse/index.js';
export type {
  NewEvent,
  EventRecord,
  ExpectedVersion,
  SubscriptionInfo,
  SubscriptionType,
  SnapshotRecord,
  Selector,
  Subscriber,
  WorkerDescriptor,
} from './core/types.js';
export type { GaterApi } from './core/api/gaterApi.js';
export type { ClusterMonitor, ClusterEvent, MemberView } from './core/cluster/clusterMonitor.js';
export type { LogFn, LogLevel } from './core/log.js';
