import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, repoRoot, spawnCli } from './helpers.js';

const pkgVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('ecosystem basics and read --follow (built binary, embedded)', () => {
  let tmp: string;
  beforeAll(async () => {
    await ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-op-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('--version and -V print the package version and exit 0', async () => {
    const [long, short] = await Promise.all([cli(['--version']), cli(['-V'])]);
    for (const r of [long, short]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${pkgVersion}\n`);
    }
  });

  it('usage errors with --json also print the JSON error object (commander and our own checks)', async () => {
    const [unknown, badCount] = await Promise.all([
      cli(['read', 's', '--bogus', '--json']),
      cli(['read', 's', '-n', 'x', '--json']),
    ]);
    for (const r of [unknown, badCount]) {
      expect(r.code).toBe(2);
      expect(r.json).toHaveLength(1);
      expect(r.json[0]).toMatchObject({ error: { code: 'usage_error', message: expect.any(String) } });
      expect(r.stderr.length).toBeGreaterThan(0);
    }
    expect((unknown.json[0]!.error as { message: string }).message).toContain('--bogus');
  });

  it('one-shot commands keep stderr quiet at the default level; -v shows the lifecycle, -q only errors', async () => {
    const env = { LOG_LEVEL: '' };
    const [quiet, verbose, q] = await Promise.all([
      cli(['streams', '--json'], { env }),
      cli(['-v', 'streams', '--json'], { env }),
      cli(['-q', 'read', 'nothing-here'], { env }),
    ]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(verbose.stderr).toMatch(/\[GatewayWorker\].*is UP/);
    expect(verbose.stderr).toMatch(/\[GatewayWorker\].*TERMINATED/);
    expect(q.code).toBe(0);
    expect(q.stderr).not.toMatch(/GatewayWorker/);
  });

  it('completion bash completes commands, subcommands and the flags of the command typed', async () => {
    const r = await cli(['completion', 'bash']);
    expect(r.code).toBe(0);
    const script = join(tmp, 'completion.bash');
    writeFileSync(script, r.stdout);
    const complete = (...words: string[]) => {
      const res = spawnSync(
        'bash',
        [
          '-c',
          `source ${script}; COMP_WORDS=(ex-esdb-console ${words.map((w) => `'${w}'`).join(' ')}); ` +
            `COMP_CWORD=${words.length}; _ex_esdb_console; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      );
      expect(res.stderr).toBe('');
      return res.stdout.split('\n').filter(Boolean);
    };
    expect(complete('re')).toEqual(['read']);
    expect(complete('--connect', '127.0.0.1:7001', 'sub')).toEqual(['subscribe', 'subscriptions']);
    expect(complete('read', 'g1', '--fo')).toEqual(['--follow']);
    expect(complete('snapshot', 'l')).toEqual(['list']);
    expect(complete('--ver')).toEqual(['--verbose', '--version']);
    const zsh = await cli(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef ex-esdb-console/);
    expect(zsh.stdout).toContain("'read:read events of a stream");
    const bad = await cli(['completion', 'fish', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.json[0]).toMatchObject({ error: { code: 'usage_error' } });
  });

  it('read -n all pages through a whole stream; the human table agrees in number', async () => {
    const db = `sqlite:${join(tmp, 'all.db')}`;
    const a = await cli(['--storage', db, 'append', 'big', '--generate', '1200', '--seed', 's', '--json']);
    expect(a.json[0]).toMatchObject({ version: 1199 });
    const [all, dflt, two] = await Promise.all([
      cli(['--storage', db, 'read', 'big', '-n', 'all', '--json']),
      cli(['--storage', db, 'read', 'big', '--json']),
      cli(['--storage', db, 'read', 'big', '--from', '5', '-n', '2']),
    ]);
    expect(all.json.map((e) => e.eventNumber)).toEqual([...Array(1200).keys()]);
    expect(dflt.json).toHaveLength(100);
    const lines = two.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Version +Position +Created +Type +Data$/);
    expect(lines.slice(1).map((l) => l.split(/ +/)[0])).toEqual(['5', '6']);
    expect(two.stderr).toContain('(2 events from big)');
  });

  it('read --follow prints the history, then new events appended by another process, and ends 0 on SIGINT', async () => {
    const db = `sqlite:${join(tmp, 'follow.db')}`;
    await cli(['--storage', db, 'append', 'f1', '--generate', '3', '--seed', 'a']);
    const follow = spawnCli(['--storage', db, 'read', 'f1', '-f', '--json']);
    try {
      expect(await follow.waitForLines(3)).toHaveLength(3);
      await cli(['--storage', db, 'append', 'f1', '--generate', '2', '--seed', 'b']);
      await cli(['--storage', db, 'append', 'other', '--generate', '2', '--seed', 'c']);
      const lines = (await follow.waitForLines(5)).map((l) => JSON.parse(l) as { eventNumber: number });
      expect(lines.map((e) => e.eventNumber)).toEqual([0, 1, 2, 3, 4]);
      follow.child.kill('SIGINT');
      expect(await follow.exited).toBe(0);
      expect(follow.stdout().trimEnd().split('\n')).toHaveLength(5);
    } finally {
      follow.child.kill('SIGKILL');
    }
    // -n with -f: exits once that many events were printed (history counts).
    const bounded = await cli(['--storage', db, 'read', 'f1', '-f', '-n', '4', '--json']);
    expect(bounded.code).toBe(0);
    expect(bounded.json.map((e) => e.eventNumber)).toEqual([0, 1, 2, 3]);
  });
});
