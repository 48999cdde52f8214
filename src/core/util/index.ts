/**
 * Small shared utilities: the one TypedEmitter and text helpers.
 * The import path for node/ and gateway/; code inside core imports the files themselves (no cycles through here).
 */
export * from './typedEmitter.js';
export * from './text.js';
