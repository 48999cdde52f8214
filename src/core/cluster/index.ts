/**
 * Cluster view: the ClusterMonitor (members, up/suspect/down, typed events) and gossip-driven discovery.
 * The import path for node/ and gateway/; code inside core imports the files themselves (no cycles through here).
 */
export * from './clusterMonitor.js';
export * from './gossipDiscovery.js';
