/** The one logging shape every layer takes; the CLI turns it into themed stderr lines, the console into its log pane. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, msg: string) => void;
