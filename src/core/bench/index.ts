/** The bench: a load generator over the gateway API with HDR latency histograms (headless; CLI and console use it). */
export * from './benchRun.js';
export * from './benchTypes.js';
export * from './benchReport.js';
export { LatencyHistogram, type LatencySummary } from './histogram.js';
