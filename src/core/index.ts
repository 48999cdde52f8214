/** The gateway core: the only import path for console/, scripted/ and cli/. No UI code here. */
export * from './types.js';
export * from './errors.js';
export * from './validation.js';
export * from './matching.js';
export type { NodeLink } from './link.js';
export type { NodeAnnouncement, Op } from './protocol.js';
export { PubSub, type EventsMessage } from './api/pubsub.js';
export { GaterApi, type GaterApiOptions } from './api/gaterApi.js';
export { WorkerRegistry } from './registry/workerRegistry.js';
export * from './cluster/clusterMonitor.js';
export * from './observers/index.js';
export type { CallSample, NodeCallStats } from './api/callStats.js';
export * from './patternParser.js';
export * from './eventLines.js';
export * from './util/text.js';
export { tailStream, ALL_EVENTS } from './api/streamTail.js';
export * from './health/index.js';
export * from './transfer/index.js';
