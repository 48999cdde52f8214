import { render } from 'ink';
import { toGaterError, type Gater } from '../core/index.js';
import { App } from './App.js';
import type { LogStore } from './feed.js';
import { ConsoleServices } from './services.js';

export interface ConsoleIo {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** Route console.* above the frame (default true; test runners that replace `console` turn it off). */
  patchConsole?: boolean;
  /** Where SIGINT/SIGTERM/SIGHUP come from (default `process`; tests pass an emitter). */
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

export interface ConsoleOptions extends ConsoleIo {
  /** Where the log pane reads from: give the gateway `logs.log` as its log, so nothing tears the frame. */
  logs: LogStore;
  /** Colour on (default) or off (`--no-color`, NO_COLOR). */
  color?: boolean;
}

/** What the console says, and its caller exits 2 with, when stdin is not a terminal. */
export const NO_TERMINAL =
  '❌ The interactive console needs a terminal (stdin is not a TTY). Run a command instead, e.g. `ex-esdb-console status`, or see --help.';

/** Ink's isRawModeSupported is stdin.isTTY; without it useInput would throw, so callers check before rendering. */
export function hasTerminal(stdin: NodeJS.ReadStream = process.stdin): boolean {
  return stdin.isTTY === true && typeof stdin.setRawMode === 'function';
}

/**
 * Runs the interactive console on an opened gateway until the user leaves (option 15, `q`, Ctrl+C) or a signal
 * arrives, then stops every observer, producer and subscription it started; the gateway stays the caller's to
 * stop. Resolves with the exit code: 0 after a normal exit, 2 without a terminal (raw mode is never attempted),
 * 1 when rendering failed. Nothing escapes as a stack trace: errors become one `❌` line.
 */
export async function startConsole(gater: Gater, options: ConsoleOptions): Promise<number> {
  const io = options;
  const logs = options.logs;
  const stdin = io.stdin ?? process.stdin;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const say = (stream: NodeJS.WriteStream, text: string) => {
    try {
      stream.write(text);
    } catch {
      // the terminal may be gone (hang-up); nothing left to tell
    }
  };

  if (!hasTerminal(stdin)) {
    say(stderr, `${NO_TERMINAL}\n`);
    return 2;
  }

  const services = new ConsoleServices(gater, logs);
  // Background failures (a timer, a late promise) go to the log pane instead of killing the console.
  const onRejection = (reason: unknown) => logs.log('error', `[Console] unhandled: ${toGaterError(reason).message}`);
  process.on('unhandledRejection', onRejection);

  const exitState = { shutdownShown: false };
  let code = 0;
  const source = io.signals ?? process;
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let unmount = () => {};
  // A hang-up (tmux kill-session, a closed terminal) or a kill still gets the clean shutdown below.
  const onSignal = () => unmount();
  for (const s of signals) source.on(s, onSignal);
  try {
    const instance = render(
      <App services={services} config={{ color: options.color ?? true }} exitState={exitState} />,
      {
        stdin,
        stdout,
        stderr,
        // Ctrl-C is the console's: a live view leaves on it, elsewhere it quits through the clean shutdown.
        exitOnCtrlC: false,
        patchConsole: io.patchConsole ?? true,
      },
    );
    unmount = () => instance.unmount();
    await instance.waitUntilExit();
  } catch (e) {
    say(stderr, `❌ The console stopped on an error: ${toGaterError(e).message}\n`);
    code = 1;
  } finally {
    for (const s of signals) source.off(s, onSignal);
  }

  const lines = await services.shutdown();
  if (!exitState.shutdownShown) say(stdout, `${lines.join('\n')}\n`);
  process.off('unhandledRejection', onRejection);
  return code;
}
