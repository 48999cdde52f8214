export * from './eventTypes.js';
export * from './generator.js';
