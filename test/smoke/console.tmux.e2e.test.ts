import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, alive, childrenOf, requireConsoleTerminal, terminalEnv } from '../helpers/tmuxConsole.js';

/**
 * The real-terminal test: tmux runs the built binary in a 160×50 pane, the test types as a person would (one key
 * at a time) and reads the screen with capture-pane. A private tmux server (-L) keeps it away from any tmux the
 * developer runs.
 */
const SOCKET = `exesdb-smoke-${process.pid}`;
const SESSION = 'console';
/** The console's working directory: where `e` writes its exports. */
const WORKDIR = mkdtempSync(join(tmpdir(), 'exesdb-smoke-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], {
    cwd: ROOT,
    env: terminalEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const screen = () => tmux('capture-pane', '-p', '-t', SESSION);

async function waitFor(match: string | RegExp | ((s: string) => boolean), timeoutMs = 10_000): Promise<string> {
  const test =
    typeof match === 'function'
      ? match
      : (s: string) => (typeof match === 'string' ? s.includes(match) : match.test(s));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (test(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(match)}; the screen was:\n${s}`);
    await sleep(100);
  }
}

/**
 * Screens draw their key hints only once they hear keys (Ink draws the first frame before its input handlers
 * attach); a person reads the screen before typing, the test waits for a hint.
 */
async function whenReady(): Promise<void> {
  await waitFor(/q quit|Esc back|Esc cancel/);
}

/** One key at a time, each echoed before the next, as a person types while watching the screen. */
async function type(text: string): Promise<void> {
  await whenReady();
  for (let i = 0; i < text.length; i++) {
    tmux('send-keys', '-t', SESSION, '-l', text[i]!);
    const sofar = text.slice(0, i + 1);
    if (text !== '/') await waitFor((s) => s.split('\n').some((l) => l.trimEnd().endsWith(sofar)), 5000);
    await sleep(20);
  }
}

async function key(name: 'Enter' | 'Escape' | 'Space' | 'Up' | 'PPage'): Promise<void> {
  await whenReady();
  tmux('send-keys', '-t', SESSION, name);
  // A lone Esc is only known to be Esc once no sequence follows it; give the app a moment before the next key.
  await sleep(name === 'Escape' ? 250 : 120);
}

/**
 * One key that is not echoed (a view's command letter). Overlays replace the hints a screen shows, so closing
 * one does not wait for them.
 */
async function press(ch: string, { ready = true } = {}): Promise<void> {
  if (ready) await whenReady();
  tmux('send-keys', '-t', SESSION, '-l', ch);
  await sleep(120);
}

/** Types an answer, checks it is echoed on its prompt line as a person would, then presses Enter. */
async function answer(text: string): Promise<void> {
  await type(text);
  await waitFor((s) => s.split('\n').some((l) => l.trimEnd().endsWith(text)));
  await key('Enter');
}

const seenLines = (s: string) => s.split('\n').filter((l) => l.startsWith('SEEN ["'));
/** Lines of a scrolled-back view: a two-column gutter, `❯ ` on the selected one. */
const scrolledLines = (s: string) => s.split('\n').filter((l) => /^(❯ | {2})SEEN \["/.test(l));
const selectedLine = (s: string) => s.split('\n').find((l) => l.startsWith('❯ SEEN'));

describe('console in a real terminal (tmux)', () => {
  let shellPid = 0;
  let nodePid = 0;

  beforeAll(async () => {
    requireConsoleTerminal();
    // The shell stays after the console exits so the test can read the exit code on the screen.
    tmux(
      'new-session',
      '-d',
      '-x',
      '160',
      '-y',
      '50',
      '-s',
      SESSION,
      '-c',
      WORKDIR,
      `node '${ROOT}bin/ex-esdb-console.js'; echo "EXIT CODE $?"; sleep 120`,
    );
    // tmux takes OSC 52 from the app into a paste buffer (the test reads `c`'s copy there).
    tmux('set-option', '-g', 'set-clipboard', 'on');
    shellPid = Number(tmux('list-panes', '-t', SESSION, '-F', '#{pane_pid}').trim());
    await waitFor('Select an option (1-15)', 20_000);
    nodePid = childrenOf(shellPid)[0] ?? 0;
  });

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    for (let i = 0; i < 50 && [shellPid, nodePid].some((p) => p && alive(p)); i++) await sleep(100);
    rmSync(WORKDIR, { recursive: true, force: true });
  });

  it('producers, an observer on $all, its live monitor with pause, filter, scrollback, details, follow tree, export and ?, stop, and exit with 15', async () => {
    expect(nodePid).toBeGreaterThan(0);
    expect(screen()).toMatch(/Store: reg_gh\s+Mode: embedded\s+Nodes: 1/);

    // 7 — three producers, defaults for count and batch, a 300 ms period so the test sees traffic soon.
    await answer('7');
    await waitFor('Number of producers (default 3)');
    await key('Enter');
    await waitFor('Batch size');
    await key('Enter');
    await waitFor('Period between appends');
    await answer('300');
    await waitFor('✅ Started 3 producers');

    // 1 — observer on $all.
    await answer('1');
    await waitFor('Enter stream name or $all');
    await answer('$all');
    await waitFor('Enter observer name:');
    await answer('all_obs');
    await waitFor("✅ Observer 'all_obs' created for stream '$all'");

    // 5 — monitor it; SEEN lines from all three streams arrive.
    await answer('5');
    await waitFor('Enter observer name to monitor:');
    await answer('all_obs');
    await waitFor('👁️  Monitoring Observer: all_obs');
    const live = await waitFor((s) =>
      ['greenhouse1', 'greenhouse2', 'greenhouse3'].every((g) => seenLines(s).some((l) => l.includes(`${g}:`))),
    );
    expect(seenLines(live)[0]).toMatch(/^SEEN \["greenhouse\d:[a-z_]+:v1 \(v\d+\) => \{.*\}"\]$/);
    expect(live).toMatch(/● LIVE │ [\d.]+ ev\/s │ total \d+/);

    // Space pauses: the lines stay still while the count of new ones grows; space again resumes.
    await key('Space');
    const paused = await waitFor(/⏸ PAUSED/);
    await waitFor(/PAUSED \(\+\d+ new\)/);
    expect(seenLines(screen())).toEqual(seenLines(paused));
    await key('Space');
    await waitFor('● LIVE');

    // / filters, matches highlighted (the frame keeps only greenhouse2 lines).
    await type('/');
    await waitFor('/ filter (Enter apply');
    await answer('greenhouse2');
    const filtered = await waitFor((s) => s.includes('filter /greenhouse2/') && seenLines(s).length > 0);
    expect(seenLines(filtered).every((l) => l.includes('greenhouse2'))).toBe(true);
    const colours = tmux('capture-pane', '-p', '-e', '-t', SESSION);
    // eslint-disable-next-line no-control-regex -- the pane capture's ANSI escapes are what this checks
    expect(colours).toMatch(/\x1b\[[0-9;]*48;5;214m[^\x1b]*greenhouse2/); // amber highlight behind the match

    // Esc clears the filter.
    await key('Escape');
    await waitFor((s) => !s.includes('filter /greenhouse2/'));

    // ↑ scrolls back: the newest line is selected and the window stays put while the producers keep appending.
    await key('Up');
    await waitFor(/⇞ SCROLLED BACK/);
    const newSince = (s: string) => Number(/SCROLLED BACK \(\+(\d+) new\)/.exec(s)?.[1] ?? 0);
    const first = await waitFor(/SCROLLED BACK \(\+\d+ new\)/);
    const held = scrolledLines(first);
    await waitFor((s) => newSince(s) > newSince(first)); // more events arrived meanwhile
    expect(scrolledLines(screen())).toEqual(held);
    const newest = selectedLine(screen());
    await key('PPage');
    await waitFor((s) => selectedLine(s) !== undefined && selectedLine(s) !== newest);

    // Enter opens the selected event's details; f its transaction as a tree (as `follow` prints it).
    await key('Enter');
    const detail = await waitFor(/🔎 Event greenhouse\d #\d+ — [a-z_]+:v1/);
    expect(detail).toMatch(/correlation\s+\S{10,}/);
    expect(detail).toMatch(/data:\n\s+\{/);
    // c copies the event as JSON through the terminal (OSC 52): tmux's paste buffer holds it.
    await press('c');
    await waitFor('📋 Copied greenhouse');
    const copied = JSON.parse(tmux('show-buffer')) as { eventId: string; eventStreamId: string };
    expect(detail).toContain(`event id    ${copied.eventId}`);
    await press('f');
    const tree = await waitFor(/🔗 Correlation tree: \d+ events? in 1 stream, correlation \S+/);
    expect(tree).toMatch(/● greenhouse\d #\d+ {2}[a-z_]+:v1/);

    // ? shows the tree's keys; any key closes them.
    await press('?');
    await waitFor('⌨️ Keys — Correlation tree');
    await press('x', { ready: false });
    await waitFor((s) => !s.includes('⌨️ Keys') && s.includes('🔗 Correlation tree'));
    await key('Escape'); // tree → details
    await waitFor('🔎 Event');
    await key('Escape'); // details → the scrolled view
    await waitFor((s) => !s.includes('🔎 Event') && s.includes('⇞ SCROLLED BACK'));

    // e exports what is shown (NDJSON) to a new file in the working directory, and says where.
    await press('e');
    const exported = await waitFor(/💾 Exported (\d+) events to (\S+\.ndjson)/);
    const [, count, path] = /💾 Exported (\d+) events to (\S+\.ndjson)/.exec(exported)!;
    expect(readdirSync(WORKDIR)).toEqual([path!.slice(WORKDIR.length + 1)]);
    const lines = readFileSync(path!, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(Number(count));
    expect(Number(count)).toBeGreaterThan(0);
    for (const l of lines)
      expect(JSON.parse(l)).toMatchObject({ eventStreamId: expect.stringMatching(/^greenhouse\d$/) });

    // ? on the live view lists its keys.
    await press('?');
    const help = await waitFor('⌨️ Keys — Live view');
    expect(help).toMatch(/Enter\s+details of the selected event/);
    await press('x', { ready: false });
    await waitFor((s) => !s.includes('⌨️ Keys'));

    // G follows the newest lines again; Esc goes back to the menu.
    await press('G');
    await waitFor('● LIVE');
    await key('Escape');
    await waitFor('Select an option (1-15)');

    // 6 — stop the observer.
    await answer('6');
    await waitFor('Enter observer name to stop:');
    await answer('all_obs');
    await waitFor("✅ Observer 'all_obs' stopped");

    // 15 — exit: everything stopped, exit code 0, the process gone.
    await answer('15');
    const end = await waitFor('EXIT CODE', 15_000);
    expect(end).toContain('👋 Shutting down ExESDB Interactive Console...');
    for (const g of ['greenhouse1', 'greenhouse2', 'greenhouse3']) expect(end).toContain(`🛑 Stopped producer: ${g}`);
    expect(end).toContain('✅ Console shut down successfully!');
    expect(end).toContain('EXIT CODE 0');
    expect(alive(nodePid)).toBe(false);
  }, 120_000); // a person's pace over a dozen screens; slow only when the machine is

  it('leaves nothing running afterwards', async () => {
    tmux('kill-server');
    for (let i = 0; i < 50 && [shellPid, nodePid].some(alive); i++) await sleep(100);
    expect(alive(shellPid)).toBe(false);
    expect(alive(nodePid)).toBe(false);
    const leftovers = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(SOCKET) || (nodePid && l.trim().startsWith(`${nodePid} `)));
    expect(leftovers).toEqual([]);
  });
});
