export * from './format.js';
export * from './transfer.js';
