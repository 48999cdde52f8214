/**
 * The BEAM bridge: a hidden Erlang node linked to an Elixir ExESDB cluster over Erlang distribution.
 * What the gateway assembly (src/gateway/beam.ts) needs; code inside core imports the files themselves.
 */
export { BeamLink, type BeamLinkStatus } from './beamLink.js';
export { BeamSubscriptions } from './beamSubscriptions.js';
export { connectDist, type DistConnection } from './distConnection.js';
export { parseNodeName } from './nodeName.js';
export { defaultErlangCookie } from './cookie.js';
