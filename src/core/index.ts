/** The gateway core: the only import path for console/, scripted/ and cli/. No UI code here. */
export * from './types.js';
export * from './errors.js';
export * from './validation.js';
export * from './matching.js';
export { colorLevel, type ColorLevel } from './colorSupport.js';
export type { NodeLink } from './link.js';
export { LOG_LEVELS, type LogFn, type LogLevel, type LogThreshold } from './log.js';
export { TypedEmitter, logListenerErrors, type ListenerErrorHandler } from './util/typedEmitter.js';
export type { Gater } from './gater.js';
export {
  beamText,
  callsText,
  collectStatus,
  countersText,
  foreignText,
  trustText,
  type StatusReport,
} from './status.js';
export { describeStorage, parseStorageSpec, type StorageSpec } from './storageSpec.js';
export { parseHostPort } from './hostPort.js';
export { DEV_COOKIE, DEV_SECRET, orDevDefault } from './devDefaults.js';
export { GOSSIP_DEFAULTS } from './gossip/defaults.js';
export { OPS, isOp, type NodeAnnouncement, type Op, type OpArgs, type OpMap, type OpResult } from './wire/ops.js';
export { PubSub, type EventsMessage } from './api/pubsub.js';
export { GaterApi, type GaterApiOptions } from './api/gaterApi.js';
export type { SubscribeOptions, Subscription } from './api/subscription.js';
export { WorkerRegistry } from './registry/workerRegistry.js';
export * from './cluster/clusterMonitor.js';
export * from './observers/index.js';
export type { CallSample, NodeCallStats } from './api/callStats.js';
export * from './patternParser.js';
export * from './eventLines.js';
export { defaultErlangCookie } from './beam/cookie.js';
export * from './util/text.js';
export * from './util/flagValues.js';
export { tailStream, ALL_EVENTS } from './api/streamTail.js';
export * from './health/index.js';
export * from './transfer/index.js';
export { correlationIdOf, causationIdOf, CORRELATION_KEYS, CAUSATION_KEYS } from './correlation.js';
export {
  FOLLOW_LIMIT,
  causationTree,
  followCorrelation,
  joinIfLinked,
  keysOf,
  type Correlated,
  type TreeRow,
} from './api/follow.js';
export { eventLinks, treeRowJson, treeRowText, treeText } from './followText.js';
