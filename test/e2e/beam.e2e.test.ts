/**
 * The built binary against a fixture ExESDB cluster of two real OTP nodes (loopback, private EPMD):
 * `--beam` with the cookie from each source, status, append, read, observe, subscribe, scenario --all.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureCluster, type FixtureCluster, removeFixtureBuilds } from '../helpers/beamCluster.js';
import { cli, ensureBuilt, uniq } from './helpers.js';

let cluster: FixtureCluster;
let beam: string;
let env: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  cluster = await startFixtureCluster(2, { prefix: `e2e${process.pid}` });
  beam = cluster.nodes.map((n) => n.name).join(',');
  env = { ERL_EPMD_PORT: String(cluster.epmd.port) };
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  removeFixtureBuilds();
});

const run = (args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 30_000) =>
  cli(['--beam', beam, '--cookie', cluster.cookie, ...args], { env: { ...env, ...extraEnv }, timeoutMs });

describe('ex-esdb-console --beam against a fixture ExESDB cluster', () => {
  it('status --json - mode beam, both nodes with OTP release, PubSub joined and call latency', async () => {
    const r = await run(['status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = r.json[0]!;
    expect(s).toMatchObject({ mode: 'beam', store: 'reg_gh', workers: 2 });
    const nodes = s.nodes as Array<Record<string, unknown>>;
    expect(nodes.map((n) => n.name)).toEqual(cluster.nodes.map((n) => n.name));
    for (const n of nodes) {
      expect(n).toMatchObject({ state: 'alive', role: 'beam', stores: ['reg_gh'] });
      expect(n.beam).toMatchObject({ otpRelease: expect.stringMatching(/^\d+$/), pubsubJoined: true });
      expect((n.beam as { lastCallMs: number }).lastCallMs).toBeGreaterThan(0);
    }
  });

  it('append and read - versions and records round-trip through ExESDB terms', async () => {
    const stream = `s-${uniq()}`;
    const a = await run(['append', stream, '--type', 'opened', '--data', '{"owner":"ann"}', '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.json[0]).toMatchObject({ version: 0 });
    const b = await run(['append', stream, '--generate', '3', '--seed', '7', '--expected-version', '0', '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.json[0]).toMatchObject({ version: 3 });
    const conflict = await run(['append', stream, '--type', 'x', '--data', '{}', '--expected-version', '0', '--json']);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr + conflict.stdout).toMatch(/wrong_expected_version/);
    const r = await run(['read', stream, '--count', '10', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.map((x) => x.eventNumber)).toEqual([0, 1, 2, 3]);
    expect(r.json[0]).toMatchObject({ eventStreamId: stream, eventType: 'opened', data: { owner: 'ann' } });
  });

  it('observe and subscribe - live events reach the binary from the cluster PubSub', async () => {
    const stream = `live-${uniq()}`;
    // --from 0: the views replay what they missed, so when each one links (under load: late) does not matter
    const observing = run([
      'observe',
      '--stream',
      stream,
      '--from',
      '0',
      '--count',
      '2',
      '--duration',
      '15s',
      '--json',
    ]);
    const subscribing = run([
      'subscribe',
      '--name',
      `sub-${uniq()}`,
      '--stream',
      stream,
      '--from',
      '0',
      '--ack',
      '--count',
      '2',
      '--duration',
      '15s',
      '--json',
    ]);
    // usually the views are live by now and get the events as broadcasts; if not, from the replay
    await new Promise((r) => setTimeout(r, 2500));
    const a = await run(['append', stream, '--generate', '2', '--seed', '1', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const [o, s] = await Promise.all([observing, subscribing]);
    expect(o.code, o.stderr).toBe(0);
    expect(o.json.map((x) => x.eventNumber)).toEqual([0, 1]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.json.filter((x) => 'eventNumber' in x).map((x) => x.eventNumber)).toEqual([0, 1]);
  }, 40_000);

  it('scenario --all - every shipped scenario passes against the two BEAM nodes', async () => {
    const r = await run(['scenario', '--all', '--json'], {}, 60_000);
    const summaries = r.json.filter((l) => 'passed' in l);
    expect(
      summaries.map((x) => [x.scenario, x.passed]),
      r.stdout,
    ).toEqual([
      ['Basic event flow', true],
      ['Event type filtering', true],
      ['Payload pattern', true],
      ['Subscription with acknowledgement', true],
      ['Concurrency race', true],
    ]);
    expect(r.code).toBe(0);
  }, 70_000);

  it('--cookie-file, and the order: --cookie/--cookie-file, RELEASE_COOKIE, EX_ESDB_COOKIE(_FILE), ~/.erlang.cookie', async () => {
    const home = mkdtempSync(join(tmpdir(), 'beam-order-'));
    try {
      // every source but the one under test holds a wrong cookie: the run links only if that one was used
      writeFileSync(join(home, '.erlang.cookie'), 'wrong_home_cookie\n', { mode: 0o400 });
      const right = join(home, 'right.cookie');
      writeFileSync(right, `${cluster.cookie}\n`, { mode: 0o600 });
      const wrong = join(home, 'wrong.cookie');
      writeFileSync(wrong, 'wrong_file_cookie\n', { mode: 0o600 });
      const base = { ...env, HOME: home };
      const status = (args: string[], extra: Record<string, string>) =>
        cli(['--beam', beam, ...args, 'status', '--json'], { env: { ...base, ...extra } });

      const byFile = await status(['--cookie-file', right], { RELEASE_COOKIE: 'wrong', EX_ESDB_COOKIE: 'wrong' });
      expect(byFile.code, byFile.stderr).toBe(0);
      expect(byFile.json[0]).toMatchObject({ mode: 'beam' });
      expect(byFile.stderr).not.toMatch(/other users can read/);
      // the flag is what was asked for: a wrong file is refused even with the right RELEASE_COOKIE set
      const wrongFile = await status(['--cookie-file', wrong], { RELEASE_COOKIE: cluster.cookie });
      expect(wrongFile.code).toBe(3);
      expect(wrongFile.stderr).toMatch(/unauthorized|cookie differs/);
      const byRelease = await status([], { RELEASE_COOKIE: cluster.cookie, EX_ESDB_COOKIE: 'wrong' });
      expect(byRelease.code, byRelease.stderr).toBe(0);
      const byEnvFile = await status([], { EX_ESDB_COOKIE_FILE: right });
      expect(byEnvFile.code, byEnvFile.stderr).toBe(0);
      const byHome = await status([], {});
      expect(byHome.code).toBe(3);
      // a cookie file other users can read works, with a warning
      chmodSync(right, 0o644);
      const shared = await status(['--cookie-file', right], {});
      expect(shared.code, shared.stderr).toBe(0);
      expect(shared.stderr).toContain(`${right} holds the Erlang cookie and other users can read it: chmod 600`);
      const missing = await status(['--cookie-file', join(home, 'nope')], {});
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/--cookie-file: cannot read .*nope \(ENOENT\)/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);

  // Refused by the handshake (unauthorized), not left to run into --timeout (that would be a timeout error).
  it('a wrong cookie is refused by the handshake (exit 3, unauthorized), not after the call timeout', async () => {
    const wrong = await cli(['--beam', beam, '--cookie', 'nope', '--timeout', '120000', 'status'], { env });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/refused our challenge reply: the Erlang cookie differs/);
    expect(wrong.stderr).not.toMatch(/timeout|did not answer/i);
  });

  it('cookie sources - EX_ESDB_BEAM_NODES with RELEASE_COOKIE, and ~/.erlang.cookie; a wrong one exits 3', async () => {
    const viaEnv = await cli(['status', '--json'], {
      env: { ...env, EX_ESDB_BEAM_NODES: beam, RELEASE_COOKIE: cluster.cookie },
    });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    const home = mkdtempSync(join(tmpdir(), 'beam-home-'));
    try {
      writeFileSync(join(home, '.erlang.cookie'), `${cluster.cookie}\n`, { mode: 0o400 });
      const viaFile = await cli(['--beam', beam, 'status', '--json'], { env: { ...env, HOME: home } });
      expect(viaFile.code, viaFile.stderr).toBe(0);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    const wrong = await cli(['--beam', beam, '--cookie', 'nope', 'status', '--json'], { env });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr + wrong.stdout).toMatch(/unauthorized|cookie/);
    const bad = await cli(['--beam', 'no-at-sign', '--cookie', 'x', 'status'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/name@host/);
  });
});
