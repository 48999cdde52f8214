import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE, cli, ensureBuilt, startNodeProcess, uniq, type NodeProcess } from './helpers.js';

describe('contexts (context add/use/ls/show/rm, --context, EX_ESDB_CONTEXT)', () => {
  let node: NodeProcess;
  let home: string;
  const env = () => ({ XDG_CONFIG_HOME: home });
  const run = (args: string[], extra: Record<string, string> = {}) => cli(args, { env: { ...env(), ...extra } });

  beforeAll(async () => {
    await ensureBuilt();
    node = await startNodeProcess();
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
  });

  it('saves the connection once and every command uses it; the cookie stays in a user-only file', async () => {
    home = mkdtempSync(join(tmpdir(), 'esdb-ctx-'));
    const empty = await run(['context', 'ls', '--json']);
    expect(empty.code).toBe(0);
    expect(empty.json).toEqual([]);
    expect(empty.stderr).toMatch(/no contexts/);

    const add = await run([
      'context',
      'add',
      'local',
      '--connect',
      node.address,
      '--cookie',
      COOKIE,
      '--store',
      'reg_gh',
      '--use',
      '--json',
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.json[0]).toMatchObject({ context: 'local', current: true });
    const saved = readFileSync(join(home, 'ex-esdb-console', 'contexts.json'), 'utf8');
    expect(saved).not.toContain(COOKIE);
    const cookiePath = (JSON.parse(saved) as { contexts: { local: { cookieFile: string } } }).contexts.local.cookieFile;
    expect(readFileSync(cookiePath, 'utf8').trim()).toBe(COOKIE);
    expect(statSync(cookiePath).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'ex-esdb-console', 'contexts.json')).mode & 0o777).toBe(0o600);

    // No flags: the append goes to the node through the current context.
    const stream = `ctx_${uniq()}`;
    const append = await run(['append', stream, '--generate', '2', '--json']);
    expect(append.code, append.stderr).toBe(0);
    const direct = await cli(['--connect', node.address, '--cookie', COOKIE, 'version', stream, '--json']);
    expect(direct.json[0]).toMatchObject({ version: 1 });

    const status = await run(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.json[0]).toMatchObject({ context: 'local', mode: 'cluster' });

    const ls = await run(['context', 'ls']);
    expect(ls.stdout).toMatch(/\*\s+local\s+127\.0\.0\.1:\d+\s+reg_gh/);
  }, 60_000);

  it('flags beat every context; the environment beats the current one but not an explicit --context', async () => {
    home = mkdtempSync(join(tmpdir(), 'esdb-ctx-'));
    const cookieFile = join(home, 'cookie');
    writeFileSync(cookieFile, `${COOKIE}\n`, { mode: 0o600 });
    expect((await run(['context', 'add', 'remote', '--connect', node.address, '--cookie-file', cookieFile])).code).toBe(
      0,
    );
    expect((await run(['context', 'add', 'mem', '--storage', 'memory', '--store', 'ctx_store', '--use'])).code).toBe(0);

    // current = mem (embedded)
    expect((await run(['status', '--json'])).json[0]).toMatchObject({ mode: 'embedded', store: 'ctx_store' });
    // a flag wins over the current context
    expect((await run(['--store', 'other', 'status', '--json'])).json[0]).toMatchObject({ store: 'other' });
    // EX_ESDB_STORE wins over the current context...
    expect((await run(['status', '--json'], { EX_ESDB_STORE: 'from_env' })).json[0]).toMatchObject({
      store: 'from_env',
    });
    // ...but not over a context asked for by name on this command
    const named = await run(['--context', 'remote', 'status', '--json'], { EX_ESDB_STORE: 'reg_gh' });
    expect(named.code, named.stderr).toBe(0);
    expect(named.json[0]).toMatchObject({ context: 'remote', mode: 'cluster' });
    const byEnv = await run(['status', '--json'], { EX_ESDB_CONTEXT: 'remote' });
    expect(byEnv.json[0]).toMatchObject({ context: 'remote', mode: 'cluster' });

    const missing = await run(['--context', 'nope', 'status', '--json']);
    expect(missing.code).toBe(2);
    expect(missing.json[0]).toMatchObject({ error: { code: 'usage_error' } });
    expect(missing.stderr).toMatch(/"nope", which does not exist; known: mem, remote/);

    expect((await run(['context', 'use', '--none'])).code).toBe(0);
    expect((await run(['status', '--json'])).json[0]).toMatchObject({ mode: 'embedded', store: 'reg_gh' });
    expect((await run(['context', 'show', 'remote', '--json'])).json[0]).toMatchObject({
      context: 'remote',
      connect: node.address,
      cookieFile,
    });
    expect((await run(['context', 'rm', 'remote', '--json'])).json[0]).toMatchObject({ deleted: true });
    expect((await run(['context', 'ls', '--json'])).json.map((c) => c.context)).toEqual(['mem']);
  }, 90_000);

  it('refuses bad input before writing anything', async () => {
    home = mkdtempSync(join(tmpdir(), 'esdb-ctx-'));
    const badName = await run(['context', 'add', 'a b', '--connect', node.address]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/context name must be/);
    const badSeed = await run(['context', 'add', 'x', '--connect', 'nohostport']);
    expect(badSeed.code).toBe(2);
    const missingFile = await run([
      'context',
      'add',
      'x',
      '--connect',
      node.address,
      '--cookie-file',
      join(home, 'nope'),
    ]);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toMatch(/cannot read/);
    const nothing = await run(['context', 'add', 'x']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/nothing to save/);
    expect((await run(['context', 'ls', '--json'])).json).toEqual([]);
    expect((await run(['context', 'add', 'x', '--store', 's'])).code).toBe(0);
    const again = await run(['context', 'add', 'x', '--store', 't']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--force/);
    writeFileSync(join(home, 'ex-esdb-console', 'contexts.json'), '{not json');
    const broken = await run(['status', '--json']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/not valid JSON.*fix or delete it/);
  }, 60_000);
});
