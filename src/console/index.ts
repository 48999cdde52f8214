/** The Ink console: the CLI's only import path into it (loaded lazily, so scripted runs never parse React). */
export { startConsole, hasTerminal, NO_TERMINAL, type ConsoleIo, type ConsoleOptions } from './startConsole.js';
export { LogStore } from './feed.js';
