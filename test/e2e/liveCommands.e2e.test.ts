import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, cli, ensureBuilt, repoRoot } from './helpers.js';

interface Live {
  lines: string[];
  stderr: () => string;
  /** Resolves with the exit code; rejects after timeoutMs. */
  exit: Promise<number | null>;
  /** Resolves once `n` lines are on stdout. */
  linesReady(n: number): Promise<void>;
}

/** Starts the built binary and collects its stdout lines as they come (the live commands never end on their own). */
function startLive(args: string[], timeoutMs = 30_000): Live {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, CI: '1', NO_COLOR: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  let err = '';
  const waiters: { n: number; resolve: () => void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    for (const w of waiters.splice(0)) {
      if (lines.length >= w.n) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} still running after ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
  return {
    lines,
    stderr: () => err,
    exit,
    linesReady: (n) =>
      new Promise<void>((resolve, reject) => {
        if (lines.length >= n) return resolve();
        waiters.push({ n, resolve });
        void exit.then(() => reject(new Error(`exited with ${lines.length} of ${n} lines\n${err}`)), reject);
      }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Issue 10 item 7: scripted live commands in embedded mode, and acks that only follow what was really written.
describe('observe / subscribe as scripts (built binary, embedded sqlite)', () => {
  let tmp = '';
  beforeAll(async () => {
    await ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-live-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('observe --count 3 stays alive after the replay and exits 0 once events appended by another process arrive', async () => {
    const db = `sqlite:${join(tmp, 'observe.db')}`;
    expect((await cli(['--storage', db, 'append', 'obs', '--type', 'one:v1'])).code).toBe(0);
    const live = startLive(['--storage', db, 'observe', '--stream', 'obs', '--from', '0', '--count', '3', '--json']);
    await live.linesReady(1); // the replayed event: the observer is registered
    await sleep(1500); // today's failure: the process left right after the replay
    const more = await cli(['--storage', db, 'append', 'obs', '--file', '-'], {
      input: '{"eventType":"two:v1","data":{}}\n{"eventType":"three:v1","data":{}}\n',
    });
    expect(more.code).toBe(0);
    expect(await live.exit).toBe(0);
    expect(live.lines.map((l) => (JSON.parse(l) as { eventType: string }).eventType)).toEqual([
      'one:v1',
      'two:v1',
      'three:v1',
    ]);
  });

  it('subscribe --ack --count 2 waits for the second event, acks both, exits 0', async () => {
    const db = `sqlite:${join(tmp, 'subscribe.db')}`;
    expect((await cli(['--storage', db, 'append', 'sub', '--type', 'one:v1'])).code).toBe(0);
    const live = startLive([
      '--storage',
      db,
      'subscribe',
      '--name',
      'two',
      '--stream',
      'sub',
      '--ack',
      '--count',
      '2',
      '--json',
    ]);
    await live.linesReady(1);
    await sleep(1000);
    expect((await cli(['--storage', db, 'append', 'sub', '--type', 'two:v1'])).code).toBe(0);
    expect(await live.exit).toBe(0);
    expect(live.lines).toHaveLength(2);
    const subs = await cli(['--storage', db, 'subscriptions', '--name', 'two', '--json']);
    expect(subs.json[0]!.subscriptions).toEqual([expect.objectContaining({ name: 'two', checkpoint: 2, inFlight: 0 })]);
  });

  it('subscribe --ack --json | head -n 3: exits 0 and acks only lines handed to the pipe, not the thousands behind them', async () => {
    const db = `sqlite:${join(tmp, 'pipe.db')}`;
    const total = 3000;
    expect((await cli(['--storage', db, 'append', 'pipe', '--generate', String(total), '--seed', '1'])).code).toBe(0);
    const all = await cli(['--storage', db, 'read', 'pipe', '--count', String(total), '--json']);
    const shortest = Math.min(
      ...all.stdout
        .trim()
        .split('\n')
        .map((l) => Buffer.byteLength(l) + 1),
    );
    const quoted = [bin, '--storage', db, 'subscribe', '--name', 'piped', '--stream', 'pipe', '--ack', '--json']
      .map((a) => `'${a}'`)
      .join(' ');
    const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn('sh', ['-c', `'${process.execPath}' ${quoted} | head -n 3`], {
        cwd: repoRoot,
        env: { ...process.env, CI: '1', NO_COLOR: '1', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const t = setTimeout(() => reject(new Error('the pipeline did not end')), 30_000);
      child.on('close', (code) => {
        clearTimeout(t);
        resolve({ code, out });
      });
    });
    expect(run.code).toBe(0);
    expect(run.out.trim().split('\n')).toHaveLength(3);
    const subs = await cli(['--storage', db, 'subscriptions', '--name', 'piped', '--json']);
    const checkpoint = (subs.json[0]!.subscriptions as { checkpoint: number }[])[0]!.checkpoint;
    // What left the process fits in the pipe (64 KiB on Linux) plus what head read before it quit.
    const bound = Math.ceil((2 * 65536) / shortest) + 3;
    console.info(`piped: checkpoint ${checkpoint} of ${total} (bound ${bound}, shortest line ${shortest} B)`);
    expect(checkpoint).toBeGreaterThanOrEqual(3);
    expect(checkpoint).toBeLessThanOrEqual(bound);
  });
});
