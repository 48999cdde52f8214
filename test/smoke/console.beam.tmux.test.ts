import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureCluster, type FixtureCluster } from '../helpers/beamCluster.js';

/**
 * The real-terminal test against an Elixir-style cluster: tmux runs the built binary with `--beam` linked to a
 * fixture ExESDB cluster of two real OTP nodes (loopback, private EPMD), and the test walks the options a person
 * uses most (producers, an observer on $all and its live monitor, listings, stopping, cluster status, exit).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOCKET = `exesdb-beam-smoke-${process.pid}`;
const SESSION = 'console';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The environment a person's terminal has: no CI (Ink would render differently), a real TERM. */
function terminalEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  delete env.NO_COLOR;
  delete env.TMUX; // a developer running the tests inside tmux still gets a separate server
  return env;
}

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
    // Human speed: in --beam mode keys typed within ~20 ms of the previous echo were seen to get lost (see report).
    await sleep(300);
  }
}

async function key(name: 'Enter' | 'Escape' | 'Space'): Promise<void> {
  await whenReady();
  tmux('send-keys', '-t', SESSION, name);
  // A lone Esc is only known to be Esc once no sequence follows it; give the app a moment before the next key.
  await sleep(name === 'Escape' ? 250 : 120);
}

/** Types an answer, checks it is echoed on its prompt line as a person would, then presses Enter. */
async function answer(text: string): Promise<void> {
  await type(text);
  await waitFor((s) => s.split('\n').some((l) => l.trimEnd().endsWith(text)));
  await key('Enter');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

const seenLines = (s: string) => s.split('\n').filter((l) => l.startsWith('SEEN ["'));

describe('console in a real terminal (tmux) against a BEAM cluster', () => {
  let shellPid = 0;
  let nodePid = 0;
  let cluster: FixtureCluster;

  beforeAll(async () => {
    try {
      execFileSync('tmux', ['-V'], { encoding: 'utf8' });
    } catch {
      throw new Error('tmux is not installed: install it (e.g. `sudo apt-get install tmux`); CI installs it');
    }
    if (!existsSync(`${ROOT}/dist/console/startConsole.js`))
      throw new Error('dist/ is missing the console: run `npm run build` first (npm test does)');
    cluster = await startFixtureCluster(2, { prefix: `tmx${process.pid}` });
    const beam = cluster.nodes.map((n) => n.name).join(',');
    tmux(
      'new-session',
      '-d',
      '-x',
      '160',
      '-y',
      '50',
      '-s',
      SESSION,
      `ERL_EPMD_PORT=${cluster.epmd.port} node bin/ex-esdb-console.js --beam ${beam} --cookie ${cluster.cookie}; echo "EXIT CODE $?"; sleep 120`,
    );
    shellPid = Number(tmux('list-panes', '-t', SESSION, '-F', '#{pane_pid}').trim());
    await waitFor('Select an option (1-15)', 30_000);
    // the link lines land in the log pane just after the menu; typing while it redraws can drop a key
    await waitFor((s) => (s.match(/Linked to BEAM node/g) ?? []).length === 2, 15_000);
    nodePid = childrenOf(shellPid)[0] ?? 0;
  }, 90_000);

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    for (let i = 0; i < 50 && [shellPid, nodePid].some((p) => p && alive(p)); i++) await sleep(100);
    await cluster?.stop();
  });

  it('producers write to ExESDB, an observer on $all sees the cluster broadcasts, status shows the BEAM nodes, exit with 15', async () => {
    expect(nodePid).toBeGreaterThan(0);
    expect(screen()).toMatch(/Store: reg_gh\s+Mode: beam\s+Nodes: 2/);

    // 7 — three producers, a 300 ms period.
    await answer('7');
    await waitFor('Number of producers (default 3)');
    await key('Enter');
    await waitFor('Batch size');
    await key('Enter');
    await waitFor('Period between appends');
    await answer('300');
    await waitFor('✅ Started 3 producers');

    // 1 — observer on $all (live: it sees what is appended from now on).
    await answer('1');
    await waitFor('Enter stream name or $all');
    await answer('$all');
    await waitFor('Enter observer name:');
    await answer('all_obs');
    await waitFor("✅ Observer 'all_obs' created for stream '$all'");

    // 5 — the monitor: SEEN lines from all three streams, delivered by the cluster's PubSub.
    await answer('5');
    await waitFor('Enter observer name to monitor:');
    await answer('all_obs');
    await waitFor('👁️  Monitoring Observer: all_obs');
    const live = await waitFor(
      (s) => ['greenhouse1', 'greenhouse2', 'greenhouse3'].every((g) => seenLines(s).some((l) => l.includes(`${g}:`))),
      20_000,
    );
    expect(seenLines(live)[0]).toMatch(/^SEEN \["greenhouse\d:[a-z_]+:v1 \(v\d+\) => \{.*\}"\]$/);
    await key('Escape');
    await waitFor('Select an option (1-15)');

    // 4 and 9 — the listings.
    await answer('4');
    await waitFor('all_obs');
    await key('Escape');
    await answer('9');
    await waitFor('greenhouse3');
    await key('Escape');

    // 14 — cluster status: both BEAM nodes alive (their OTP/PubSub details are past the 160 columns here;
    // `status --json` checks those in the e2e test).
    await answer('14');
    await waitFor((s) => cluster.nodes.every((n) => new RegExp(`${n.name}\\s+alive`).test(s)), 15_000);
    await key('Escape');
    await waitFor('Select an option (1-15)');

    // 6 — stop the observer; 15 — exit: producers stopped, exit code 0.
    await answer('6');
    await waitFor('Enter observer name to stop:');
    await answer('all_obs');
    await waitFor("✅ Observer 'all_obs' stopped");
    await answer('15');
    const end = await waitFor('EXIT CODE', 20_000);
    for (const g of ['greenhouse1', 'greenhouse2', 'greenhouse3']) expect(end).toContain(`🛑 Stopped producer: ${g}`);
    expect(end).toContain('EXIT CODE 0');
    expect(alive(nodePid)).toBe(false);
  }, 120_000);
});
