import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE, ensureBuilt, repoRoot, startNodeProcess, type NodeProcess } from './helpers.js';

/**
 * The package as a user installs it: `npm pack`, the tarball unpacked into a fresh project's node_modules, and
 * only its declared `dependencies` made available next to it (linked from this checkout, since the test runs
 * offline). A file missing from `files`, a dependency missing from `dependencies` or an export the map blocks
 * fails here, not for the user.
 */
describe('the packed tarball', () => {
  let dir: string;
  let node: NodeProcess;

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'ex-esdb-pack-'));
    // dist/ is built already; the prepare script would only build it again.
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const tarball = join(dir, (JSON.parse(out) as { filename: string }[])[0]!.filename);
    const app = join(dir, 'app');
    const installed = join(app, 'node_modules', 'ex-esdb-console');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module' }));
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const dep of Object.keys(manifest.dependencies)) {
      const target = join(app, 'node_modules', dep);
      mkdirSync(join(target, '..'), { recursive: true });
      symlinkSync(join(repoRoot, 'node_modules', dep), target, 'dir');
    }
    node = await startNodeProcess();
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const runApp = (code: string, env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const file = join(dir, 'app', `main-${Math.random().toString(36).slice(2)}.mjs`);
      writeFileSync(file, code);
      const child = spawn(process.execPath, [file], {
        cwd: join(dir, 'app'),
        env: { PATH: process.env.PATH, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the app did not finish in 20 s\n${stderr}`));
      }, 20_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });

  it('ships dist, bin, fixtures and README only', () => {
    const top = readdirSync(join(dir, 'app', 'node_modules', 'ex-esdb-console')).sort();
    expect(top).toEqual(['README.md', 'bin', 'dist', 'fixtures', 'package.json']);
  });

  it("starts a cluster gateway from connect + cookie through `import { startGater } from 'ex-esdb-console'`", async () => {
    const r = await runApp(
      `import { startGater } from 'ex-esdb-console';
const g = await startGater({ connect: [process.env.ADDR], cookie: process.env.COOKIE });
try {
  const stream = 'pack-' + process.pid;
  const version = await g.api.appendEvents('reg_gh', stream, [{ eventType: 'packed:v1', data: { ok: true } }]);
  const events = await g.api.getEvents('reg_gh', stream, 0, 10);
  console.log(JSON.stringify({ mode: g.mode, version, events: events.map((e) => e.eventType), nodes: g.cluster.status().nodes.map((n) => n.name) }));
} finally {
  await g.stop();
}
`,
      { ADDR: node.address, COOKIE },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ mode: 'cluster', version: 0, events: ['packed:v1'], nodes: [node.name] });
  });

  it('a wrong cookie is refused with a GaterError the program can branch on', async () => {
    const r = await runApp(
      `import { startGater, isGaterError } from 'ex-esdb-console';
const g = await startGater({ connect: [process.env.ADDR], cookie: 'not-the-cookie', noWorkersWaitMs: 1500 });
try {
  await g.api.getStreams('reg_gh');
  console.log('unexpectedly answered');
} catch (e) {
  console.log(JSON.stringify({ gaterError: isGaterError(e), code: e.code }));
} finally {
  await g.stop();
}
`,
      { ADDR: node.address },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ gaterError: true, code: 'no_workers' });
  });

  it('the embedded default needs no options', async () => {
    const r = await runApp(
      `import { startGater } from 'ex-esdb-console';
const g = await startGater();
await g.api.appendEvents('reg_gh', 's', [{ eventType: 'e:v1', data: 1 }]);
console.log(JSON.stringify({ mode: g.mode, store: g.store, storage: g.storage, version: await g.api.getVersion('reg_gh', 's') }));
await g.stop();
`,
      {},
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ mode: 'embedded', store: 'reg_gh', storage: 'memory', version: 0 });
  });
});
