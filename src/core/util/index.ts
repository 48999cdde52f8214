/**
 * Small shared utilities: the one TypedEmitter, text helpers and the deadline timer of calls in flight.
 * The import path for node/ and gateway/; code inside core imports the files themselves (no cycles through here).
 */
export * from './typedEmitter.js';
export * from './text.js';
export * from './deadlineTimer.js';
