/**
 * A real terminal for console tests: a private tmux server (-L, so no tmux the developer runs is touched) with one
 * pane running a command, driven as a person would: one key at a time, each echoed on the screen before the next,
 * and every wait a poll of capture-pane for the text expected (no fixed sleeps).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The environment a person's terminal has: no CI (Ink would render differently), a real TERM. */
export function terminalEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  delete env.NO_COLOR;
  delete env.TMUX; // a developer running the tests inside tmux still gets a separate server
  return env;
}

/** Fails at once, saying what to do, when tmux is missing or the console is not built (tests run dist/). */
export function requireConsoleTerminal(): void {
  try {
    execFileSync('tmux', ['-V'], { encoding: 'utf8' });
  } catch {
    throw new Error(
      'tmux is not installed: install it (e.g. `sudo apt-get install tmux`) to run the real-terminal console tests; CI installs it',
    );
  }
  if (!existsSync(`${ROOT}/dist/console/startConsole.js`))
    throw new Error('dist/ is missing the console: run `npm run build` first (npm test does)');
}

export type ScreenMatch = string | RegExp | ((screen: string) => boolean);

export class TmuxConsole {
  private readonly session = 'console';
  private socketPath: string | undefined;
  /** Keys sent, for a failure message that says what was typed. */
  readonly typed: string[] = [];

  constructor(
    readonly socket: string,
    private readonly size = { cols: 160, rows: 50 },
  ) {}

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {
      cwd: ROOT,
      env: terminalEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** Starts `command` in the pane; returns the pane's shell pid. */
  start(command: string): number {
    this.tmux(
      'new-session',
      '-d',
      '-x',
      String(this.size.cols),
      '-y',
      String(this.size.rows),
      '-s',
      this.session,
      command,
    );
    this.socketPath = this.tmux('display-message', '-p', '#{socket_path}').trim();
    return Number(this.tmux('list-panes', '-t', this.session, '-F', '#{pane_pid}').trim());
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.session);
  }

  async waitFor(match: ScreenMatch, timeoutMs = 10_000, pollMs = 50): Promise<string> {
    const test =
      typeof match === 'function'
        ? match
        : (s: string) => (typeof match === 'string' ? s.includes(match) : match.test(s));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (test(s)) return s;
      if (Date.now() > deadline)
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${String(match)}; keys sent so far: ${JSON.stringify(this.typed.slice(-40))}; the screen was:\n${s}`,
        );
      await sleep(pollMs);
    }
  }

  /**
   * Screens draw their key hints only once they hear keys (Ink draws the first frame before its input handlers
   * attach); a person reads the screen before typing, the test waits for a hint.
   */
  whenReady(): Promise<string> {
    return this.waitFor(/q quit|Esc back|Esc cancel/);
  }

  /**
   * Types `text` one key at a time, each echoed at the end of the line holding `prompt` before the next is sent
   * (a person watching the screen). A key the console drops is never echoed: the wait fails naming it.
   */
  async type(prompt: string, text: string): Promise<void> {
    await this.waitFor((s) => promptLine(s, prompt) !== undefined);
    await this.whenReady();
    for (let i = 0; i < text.length; i++) {
      this.send(text[i]!, true);
      // A trailing space cannot be told from the cursor cell: it is checked with the key after it.
      const sofar = text.slice(0, i + 1).trimEnd();
      await this.waitFor((s) => promptLine(s, prompt)?.endsWith(sofar) === true, 5000, 10);
    }
  }

  /**
   * Types `text` at a person's pace (`gapMs` between keys) without looking at the screen: what someone who knows
   * the next prompt types while the screen is still loading.
   */
  async typeBlind(text: string, gapMs: number, then?: 'Enter'): Promise<void> {
    for (const ch of text) {
      this.send(ch, true);
      await sleep(gapMs);
    }
    if (then) this.send(then, false);
  }

  /** Types an answer at `prompt` and presses Enter. */
  async answer(prompt: string, text: string): Promise<void> {
    await this.type(prompt, text);
    await this.key('Enter');
  }

  /** Picks a menu option as a person does: the number at the menu prompt, then Enter. */
  async option(n: number): Promise<void> {
    await this.answer('Select an option (1-15):', String(n));
  }

  async key(name: 'Enter' | 'Escape' | 'Space' | 'Up' | 'Down' | 'PageUp' | 'PageDown'): Promise<void> {
    await this.whenReady();
    this.send(name, false);
  }

  /** One literal key (a letter command: `s`, `?`, `:`), once the screen hears keys. */
  async press(ch: string): Promise<void> {
    await this.whenReady();
    this.send(ch, true);
  }

  private send(k: string, literal: boolean): void {
    this.typed.push(k);
    this.tmux('send-keys', '-t', this.session, ...(literal ? ['-l'] : []), k);
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    // The server leaves its socket file behind; one per test run would pile up in /tmp.
    if (this.socketPath) rmSync(this.socketPath, { force: true });
  }
}

/** The last screen line containing `prompt`, without trailing blanks (the cursor is an inverse space). */
export function promptLine(screen: string, prompt: string): string | undefined {
  const lines = screen.split('\n').filter((l) => l.includes(prompt));
  return lines.at(-1)?.trimEnd();
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
