import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from './helpers.js';

/**
 * `npm run bench` and `npm run bench:console` run against dist/: a module they import that moved or was renamed
 * breaks them without failing any other test. Each is run briefly here and must report its targets (PASS or MISS:
 * the figures belong to the bench, not to this test).
 */
describe('bench scripts run against the current build', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 120_000);

  const run = (script: string, args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('bench/run.js reports a target', () => {
    const r = run('bench/run.js', ['embeddedOverhead']);
    expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|SyntaxError|does not provide an export/);
    expect(r.stdout).toMatch(/^(PASS|MISS) {2}embedded append \(batches of 100\)/m);
    expect(r.stdout).toMatch(/\d+ targets met, \d+ missed/);
  }, 150_000);

  it('bench/console.js reports its three targets', () => {
    const r = run('bench/console.js', [], { BENCH_CONSOLE_SECONDS: '2' });
    expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|SyntaxError|does not provide an export/);
    for (const t of [
      'producers with a $all monitor open vs headless',
      'heap growth beyond the memory store',
      'key answered',
    ])
      expect(r.stdout).toContain(t);
  }, 150_000);
});
