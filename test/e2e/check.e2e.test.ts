import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE, cli, ensureBuilt, startNodeProcess, type CliResult, type NodeProcess } from './helpers.js';

/** The one JSON verdict line, checked against the exit code it must come with. */
function verdict(r: CliResult): { status: string; code: number; reasons: { status: string; message: string }[] } {
  expect(r.json).toHaveLength(1);
  const v = r.json[0] as { status: string; code: number; reasons: { status: string; message: string }[] };
  expect(v.code).toBe(r.code);
  return v;
}

/** A loopback port nothing listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('check: monitoring-plugin verdicts and exit codes 0/1/2/3 (built binary)', () => {
  let tmp: string;
  beforeAll(async () => {
    await ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-check-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('embedded: check store and check cluster are OK (exit 0) with a plugin line or a JSON verdict', async () => {
    const [store, cluster, human] = await Promise.all([
      cli(['check', 'store', '--json']),
      cli(['check', 'cluster', '--json']),
      cli(['check', 'store']),
    ]);
    expect(verdict(store)).toMatchObject({ check: 'store', status: 'OK', code: 0, reasons: [] });
    expect(store.json[0]).toMatchObject({ metrics: { latencyMs: expect.any(Number), version: 0 } });
    expect(verdict(cluster)).toMatchObject({ check: 'cluster', status: 'OK', metrics: { nodes: 1 } });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^STORE OK - write \+ read-back in [\d.]+ ms .*\| latency=[\d.]+ms/);
  });

  it('a lagging subscription warns (1); a parked event is critical (2); a missing one is unknown (3)', async () => {
    const db = ['--storage', `sqlite:${join(tmp, 'subs.db')}`];
    await cli([...db, 'append', 'orders', '--generate', '20', '--seed', 'o']);
    // Takes and acks 2 of 20 events, then leaves: checkpoint 2, lag 18.
    const sub = await cli([
      ...db,
      'subscribe',
      '--name',
      'slow',
      '--stream',
      'orders',
      '--from',
      '0',
      '--ack',
      '-n',
      '2',
    ]);
    expect(sub.code).toBe(0);
    // Never acks, is redelivered once and waits 100 ms per delivery: the events it is handed get parked.
    await cli([
      ...db,
      'subscribe',
      '--name',
      'stuck',
      '--stream',
      'orders',
      '--from',
      '18',
      '--max-retries',
      '1',
      '--ack-timeout',
      '100',
      '--duration',
      '1500ms',
    ]);
    const [ok, lagging, parkedDefault, parked, missing] = await Promise.all([
      cli([...db, 'check', 'subscription', '--name', 'slow', '--json']),
      cli([...db, 'check', 'subscription', '--name', 'slow', '--max-lag', '10,100', '--json']),
      cli([...db, 'check', 'subscription', '--name', 'stuck', '--json']),
      cli([...db, 'check', 'subscription', '--name', 'stuck', '--max-parked', '0', '--json']),
      cli([...db, 'check', 'subscription', '--name', 'nope', '--json']),
    ]);
    expect(verdict(ok)).toMatchObject({ status: 'OK', metrics: { lag: 18, parked: 0 } });
    expect(verdict(lagging)).toMatchObject({
      status: 'WARNING',
      code: 1,
      reasons: [{ status: 'WARNING', message: 'lag 18 events, over 10' }],
    });
    expect(verdict(parkedDefault)).toMatchObject({ status: 'WARNING', metrics: { parked: 2 } });
    expect(verdict(parked)).toMatchObject({
      status: 'CRITICAL',
      code: 2,
      reasons: [{ status: 'CRITICAL', message: '2 parked events, over 0' }],
    });
    expect(verdict(missing)).toMatchObject({ status: 'UNKNOWN', code: 3 });
  });

  it('bad thresholds and flags are UNKNOWN (3), not usage errors', async () => {
    const [badValue, badFlag, noName] = await Promise.all([
      cli(['check', 'store', '--max-latency', 'soon', '--json']),
      cli(['check', 'cluster', '--bogus']),
      cli(['check', 'subscription']),
    ]);
    expect(verdict(badValue)).toMatchObject({
      status: 'UNKNOWN',
      reasons: [{ message: expect.stringMatching(/--max-latency/) }],
    });
    expect(badFlag.code).toBe(3);
    expect(noName.code).toBe(3);
  });

  describe('against nodes on loopback', () => {
    let a: NodeProcess;
    let b: NodeProcess;
    beforeAll(async () => {
      // One shared SQLite file: both nodes serve the same data, so a write on one reads back on the other.
      const shared = ['--storage', `sqlite:${join(tmp, 'nodes.db')}`];
      [a, b] = await Promise.all([startNodeProcess(shared), startNodeProcess(shared)]);
    });
    afterAll(async () => {
      await Promise.all([a.stop(), b.stop()]);
    });

    it('two linked nodes are OK; a killed node is WARNING by default and CRITICAL below --min-nodes', async () => {
      const at = ['--connect', `${a.address},${b.address}`, '--cookie', COOKIE];
      const [both, store] = await Promise.all([
        cli([...at, 'check', 'cluster', '--min-nodes', '2', '--json']),
        cli([...at, 'check', 'store', '--json']),
      ]);
      expect(verdict(both)).toMatchObject({ status: 'OK', metrics: { nodes: 2, known: 2 } });
      expect(verdict(store)).toMatchObject({ status: 'OK' });
      await b.stop();
      const [warn, crit] = await Promise.all([
        cli([...at, 'check', 'cluster', '--wait', '1000', '--json']),
        cli([...at, 'check', 'cluster', '--wait', '1000', '--min-nodes', '2', '--json']),
      ]);
      expect(verdict(warn)).toMatchObject({
        status: 'WARNING',
        code: 1,
        reasons: [{ status: 'WARNING', message: expect.stringMatching(/^not linked: /) }],
      });
      expect(verdict(crit)).toMatchObject({ status: 'CRITICAL', code: 2, metrics: { nodes: 1 } });
      expect(crit.json[0]!.reasons).toContainEqual({
        status: 'CRITICAL',
        message: '1 node serving reg_gh linked, expected at least 2',
      });
    });

    it('two nodes on separate memory storages: a split store warns', async () => {
      const [m1, m2] = await Promise.all([startNodeProcess(), startNodeProcess()]);
      try {
        const r = await cli([
          '--connect',
          `${m1.address},${m2.address}`,
          '--cookie',
          COOKIE,
          'check',
          'cluster',
          '--json',
        ]);
        expect(verdict(r)).toMatchObject({ status: 'WARNING', metrics: { nodes: 2, storageGroups: 2 } });
        expect(r.json[0]!.reasons).toContainEqual({
          status: 'WARNING',
          message: 'store reg_gh is split over 2 storage groups',
        });
      } finally {
        await Promise.all([m1.stop(), m2.stop()]);
      }
    });

    it('an unreachable cluster is UNKNOWN (3) for store and subscription checks, CRITICAL for the cluster', async () => {
      const at = ['--connect', `127.0.0.1:${await deadPort()}`, '--cookie', COOKIE, '--timeout', '500'];
      const [store, sub, cluster] = await Promise.all([
        cli([...at, 'check', 'store', '--wait', '500', '--json']),
        cli([...at, 'check', 'subscription', '--name', 'x', '--wait', '500', '--json']),
        cli([...at, 'check', 'cluster', '--wait', '500', '--json']),
      ]);
      expect(verdict(store)).toMatchObject({ status: 'UNKNOWN', code: 3 });
      expect(verdict(sub)).toMatchObject({ status: 'UNKNOWN', code: 3 });
      expect(verdict(cluster)).toMatchObject({ status: 'CRITICAL', code: 2, metrics: { nodes: 0 } });
      // EX_ESDB_CONNECT gives the seeds when --connect does not.
      const env = await cli(['--cookie', COOKIE, 'check', 'cluster', '--wait', '500', '--json'], {
        env: { EX_ESDB_CONNECT: at[1]! },
      });
      expect(verdict(env)).toMatchObject({ status: 'CRITICAL', metrics: { nodes: 0 } }); // embedded would be 1
      const bad = await cli(['status'], { env: { EX_ESDB_CONNECT: 'nohostport' } });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/EX_ESDB_CONNECT expects host:port/);
    });
  });
});
