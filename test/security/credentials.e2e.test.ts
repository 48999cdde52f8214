/**
 * Issue #11 items 2 and 5: with no cookie or secret, a node generates strong ones in a user-only file (path shown
 * once) and every process of that user shares them; `--cookie-file` reads one; a weak one is warned about.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, randomGossipPort, spawnNode, type NodeProcess } from '../helpers/cluster.js';

const run = promisify(execFile);

describe('generated and file credentials', () => {
  const home = mkdtempSync(join(tmpdir(), 'ex-esdb-creds-'));
  const env = { ...process.env, XDG_CONFIG_HOME: home, EX_ESDB_HEARTBEAT_MS: '200', CI: '1' };
  const gossipPort = randomGossipPort();
  const dir = join(home, 'ex-esdb-console');
  let node: NodeProcess;

  beforeAll(async () => {
    node = await spawnNode({ gossipPort, env: { XDG_CONFIG_HOME: home } });
  });
  afterAll(async () => {
    await node?.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  const cli = async (args: string[]) => {
    try {
      const r = await run(process.execPath, [BIN, ...args], { env });
      return { code: 0, ...r };
    } catch (e) {
      const r = e as { code: number; stdout: string; stderr: string };
      return { code: r.code, stdout: r.stdout, stderr: r.stderr };
    }
  };

  it('a node with neither generates both in user-only files and says where, once', () => {
    for (const f of ['cookie', 'cluster_secret']) {
      expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
      expect(node.output()).toContain(join(dir, f));
    }
    expect(node.output()).not.toMatch(/dev_cookie|dev_cluster_secret/);
  });

  it('a console of the same user finds it by gossip with the same generated credentials, quietly', async () => {
    const args = ['--json', '--wait', '1500'];
    const s = await cli([
      'status',
      '--cluster',
      '--gossip-if',
      '127.0.0.1',
      '--gossip-port',
      String(gossipPort),
      ...args,
    ]);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout.trim().split('\n').pop()!)).toMatchObject({ workers: 1 });
    expect(s.stderr).not.toMatch(/generated a random one/);
    const cookie = readFileSync(join(dir, 'cookie'), 'utf8').trim();
    const secret = readFileSync(join(dir, 'cluster_secret'), 'utf8').trim();
    for (const out of [s.stdout, s.stderr, node.output()]) {
      expect(out).not.toContain(cookie);
      expect(out).not.toContain(secret);
    }
  });

  it('--cookie-file and EX_ESDB_COOKIE_FILE read it; a weak cookie is refused by the node and warned about', async () => {
    const file = join(dir, 'cookie');
    const viaFlag = await cli(['status', '--connect', node.address, '--cookie-file', file, '--json']);
    expect(viaFlag.code).toBe(0);
    const viaEnv = await run(process.execPath, [BIN, 'status', '--connect', node.address, '--json'], {
      env: { ...env, XDG_CONFIG_HOME: join(home, 'elsewhere'), EX_ESDB_COOKIE_FILE: file },
    });
    expect(JSON.parse(viaEnv.stdout.trim())).toMatchObject({ workers: 1 });
    const weak = await cli(['status', '--connect', node.address, '--cookie', 'dev_cookie', '--json']);
    expect(weak.code).toBe(3);
    expect(weak.stderr).toMatch(/cookie is weak \(about \d+ bits, under 128\)/);
    const missing = await cli(['status', '--connect', node.address, '--cookie-file', join(home, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--cookie-file: cannot read .*nope \(ENOENT\)/);
  });

  it('--help says flags are visible to other users and offers the file forms', async () => {
    const h = await cli(['--help']);
    expect(h.stdout).toMatch(/flags are visible to other users/);
    expect(h.stdout).toMatch(/--cookie-file <path>/);
    expect(h.stdout).toMatch(/--secret-file <path>/);
    expect(h.stdout).toMatch(/PGPASSWORD/);
  });
});
