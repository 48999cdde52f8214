export * from './observerRegistry.js';
export * from './producers.js';
