import { render } from 'ink';
import { exitCodeFor } from '../cli/exitCodes.js';
import type { Config } from '../cli/config.js';
import { openGater } from '../cli/session.js';
import { toGaterError } from '../core/index.js';
import type { Gater } from '../gater.js';
import { App } from './App.js';
import { LogStore } from './feed.js';
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

/**
 * Runs the interactive console until the user leaves (option 15, `q`, Ctrl+C) or a signal arrives, then stops
 * every observer, producer and subscription it started and the gateway. Resolves with the exit code: 0 after a
 * normal exit, 2 without a terminal (raw mode is never attempted), 1/3 when the gateway cannot start.
 * Nothing escapes as a stack trace: errors become one `❌` line.
 */
export async function startConsole(config: Config, io: ConsoleIo = {}): Promise<number> {
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

  // Ink's isRawModeSupported is stdin.isTTY; without it useInput would throw, so refuse before rendering.
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') {
    say(
      stderr,
      '❌ The interactive console needs a terminal (stdin is not a TTY). Run a command instead, e.g. `ex-esdb-console status`, or see --help.\n',
    );
    return 2;
  }

  const logs = new LogStore(200, config.logLevel);
  let gater: Gater;
  try {
    gater = await openGater(config, logs.log);
  } catch (e) {
    say(stderr, `❌ Could not start the gateway: ${toGaterError(e).message}\n`);
    return exitCodeFor(e);
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
    const instance = render(<App services={services} config={config} exitState={exitState} />, {
      stdin,
      stdout,
      stderr,
      // Ctrl-C is the console's: a live view leaves on it, elsewhere it quits through the clean shutdown.
      exitOnCtrlC: false,
      patchConsole: io.patchConsole ?? true,
    });
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
  try {
    await gater.stop();
  } catch (e) {
    say(stderr, `⚠️  The gateway did not stop cleanly: ${toGaterError(e).message}\n`);
  }
  process.off('unhandledRejection', onRejection);
  return code;
}
