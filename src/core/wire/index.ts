/**
 * The wire: the typed op map both ends of the request/response protocol use, and the length-prefixed framing.
 * The import path for node/ and gateway/; code inside core imports the files themselves (no cycles through here).
 */
export * from './ops.js';
export * from './frame.js';
