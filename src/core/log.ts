/** The one logging shape every layer takes; the CLI turns it into themed stderr lines, the console into its log pane. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFn = (level: LogLevel, msg: string) => void;
/** The lowest level a sink shows; `silent` shows nothing. */
export type LogThreshold = LogLevel | 'silent';
