import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { isUsageError } from './exitCodes.js';
import { credentialFrom, credentialOrGenerated, estimateEntropyBits, loadOrCreateCredential } from './secrets.js';

const dirs: string[] = [];
const scratch = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ex-esdb-secrets-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isUsageError(e)) return e.message;
    throw e;
  }
  throw new Error('expected a usage error');
}

describe('credentials', () => {
  it('flags win over the environment; files are read and trimmed; a value and a file together are refused', () => {
    const d = scratch();
    const file = join(d, 'cookie');
    writeFileSync(file, '  from-file-cookie\n');
    expect(credentialFrom('cookie', { file }, {})?.value).toBe('from-file-cookie');
    expect(credentialFrom('cookie', { value: 'flag' }, { EX_ESDB_COOKIE: 'env' })?.value).toBe('flag');
    expect(credentialFrom('cookie', { file }, { EX_ESDB_COOKIE: 'env' })?.value).toBe('from-file-cookie');
    expect(credentialFrom('cookie', {}, { EX_ESDB_COOKIE_FILE: file })?.value).toBe('from-file-cookie');
    expect(credentialFrom('cookie', {}, { RELEASE_COOKIE: 'rel' })?.value).toBe('rel');
    expect(credentialFrom('secret', {}, { EX_ESDB_CLUSTER_SECRET_FILE: file })?.value).toBe('from-file-cookie');
    expect(credentialFrom('secret', {}, {})).toBeUndefined();
    expect(usageError(() => credentialFrom('cookie', { value: 'a', file }, {}))).toMatch(/--cookie or --cookie-file/);
    expect(
      usageError(() =>
        credentialFrom('secret', {}, { EX_ESDB_CLUSTER_SECRET: 'a', EX_ESDB_CLUSTER_SECRET_FILE: file }),
      ),
    ).toMatch(/not both/);
    expect(usageError(() => credentialFrom('cookie', { file: join(d, 'missing') }, {}))).toMatch(
      /--cookie-file: cannot read .*missing \(ENOENT\)/,
    );
    writeFileSync(join(d, 'empty'), '\n');
    expect(usageError(() => credentialFrom('cookie', { file: join(d, 'empty') }, {}))).toMatch(/is empty/);
  });

  it('--beam: the Erlang cookie from --cookie / --cookie-file, then RELEASE_COOKIE, then EX_ESDB_COOKIE(_FILE)', () => {
    const d = scratch();
    const file = join(d, 'erlang_cookie');
    writeFileSync(file, 'file_cookie\n');
    const envFile = join(d, 'env_cookie');
    writeFileSync(envFile, 'env_file_cookie\n');
    const all = { RELEASE_COOKIE: 'release', EX_ESDB_COOKIE: 'exesdb', EX_ESDB_BEAM_NODES: 'a@h' };
    // the flag and the file flag win over every variable
    expect(resolveConfig({ beam: 'a@h', cookieFile: file }, all)).toMatchObject({
      cookie: 'file_cookie',
      cookieFile: file,
    });
    expect(resolveConfig({ beam: 'a@h', cookie: 'flag' }, all).cookie).toBe('flag');
    // RELEASE_COOKIE (what an Elixir release runs with) before the console's own variables
    expect(resolveConfig({}, all).cookie).toBe('release');
    expect(
      resolveConfig({}, { EX_ESDB_BEAM_NODES: 'a@h', RELEASE_COOKIE: 'release', EX_ESDB_COOKIE_FILE: envFile }).cookie,
    ).toBe('release');
    expect(resolveConfig({}, { EX_ESDB_BEAM_NODES: 'a@h', EX_ESDB_COOKIE: 'exesdb' }).cookie).toBe('exesdb');
    expect(resolveConfig({}, { EX_ESDB_BEAM_NODES: 'a@h', EX_ESDB_COOKIE_FILE: envFile })).toMatchObject({
      cookie: 'env_file_cookie',
      cookieFile: envFile,
    });
    // none of them: undefined here, ~/.erlang.cookie is read when the gateway opens
    expect(resolveConfig({ beam: 'a@h' }, {}).cookie).toBeUndefined();
    // without --beam the console's own order stays: EX_ESDB_COOKIE first
    expect(resolveConfig({}, { RELEASE_COOKIE: 'release', EX_ESDB_COOKIE: 'exesdb' }).cookie).toBe('exesdb');
    expect(usageError(() => resolveConfig({ beam: 'a@h', cookie: 'x', cookieFile: file }, {}))).toMatch(
      /--cookie or --cookie-file/,
    );
  });

  it('a secret file turns cluster mode on, like a secret', () => {
    const d = scratch();
    writeFileSync(join(d, 's'), 'x');
    expect(resolveConfig({ secretFile: join(d, 's') }, {}).cluster).toBe(true);
    expect(resolveConfig({}, { EX_ESDB_CLUSTER_SECRET_FILE: join(d, 's') })).toMatchObject({
      cluster: true,
      secret: 'x',
      secretFile: join(d, 's'),
    });
  });

  it('generates 256 random bits once, in a file and a directory only the user can read, and reuses them', () => {
    const d = join(scratch(), 'conf');
    const first = loadOrCreateCredential('cookie', d);
    expect(first.origin).toMatchObject({ from: 'generated', created: true, path: join(d, 'cookie') });
    expect(first.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(d, 'cookie')).mode & 0o777).toBe(0o600);
    expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(d, 'cookie'), 'utf8')).toBe(`${first.value}\n`);
    const again = loadOrCreateCredential('cookie', d);
    expect(again).toEqual({
      value: first.value,
      origin: { from: 'generated', path: join(d, 'cookie'), created: false },
    });
    expect(loadOrCreateCredential('secret', d).value).not.toBe(first.value);
  });

  it('shows the generated path once, warns loudly about weak values and files others can read, never logs a value', () => {
    const d = scratch();
    const lines: string[] = [];
    const log = (level: string, msg: string) => lines.push(`${level} ${msg}`);
    const v = credentialOrGenerated('cookie', { value: undefined }, log, d);
    credentialOrGenerated('cookie', { value: undefined }, log, d);
    expect(lines.filter((l) => l.startsWith('warn') && l.includes(join(d, 'cookie')))).toHaveLength(1);
    lines.length = 0;
    credentialOrGenerated('cookie', { value: 'dev_cookie' }, log);
    expect(lines.join('\n')).toMatch(/warn .*cookie is weak \(about \d+ bits, under 128\)/);
    lines.length = 0;
    const file = join(d, 'shared');
    writeFileSync(file, v);
    chmodSync(file, 0o644);
    credentialOrGenerated('cookie', { value: v, file }, log);
    expect(lines.join('\n')).toMatch(/other users can read it: chmod 600/);
    expect(lines.join('\n')).not.toContain(v);
  });

  it('estimates entropy from length and character classes', () => {
    for (const weak of ['dev_cookie', 'dev_cluster_secret', 'test_cookie', 'cookie_c1u5t3r_t3st', 'a'.repeat(200)])
      expect(estimateEntropyBits(weak)).toBeLessThan(128);
    expect(estimateEntropyBits('0123456789abcdef'.repeat(2))).toBe(128);
    expect(estimateEntropyBits(loadOrCreateCredential('secret', scratch()).value)).toBeGreaterThanOrEqual(128);
    expect(estimateEntropyBits('')).toBe(0);
  });
});
