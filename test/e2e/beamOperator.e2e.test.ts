/**
 * Operator commands against a fixture ExESDB node over the BEAM bridge: what ExESDB can answer works (follow, by
 * reading its streams), what it cannot (store-wide positions, our parked-event control) is refused with a clear
 * error naming the reason — never a crash or an undefined result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureCluster, type FixtureCluster, removeFixtureBuilds } from '../helpers/beamCluster.js';
import { cli, ensureBuilt, uniq } from './helpers.js';

let cluster: FixtureCluster;
const run = (args: string[]) =>
  cli(['--beam', cluster.nodes.map((n) => n.name).join(','), '--cookie', cluster.cookie, ...args], {
    env: { ERL_EPMD_PORT: String(cluster.epmd.port) },
    timeoutMs: 30_000,
  });

beforeAll(async () => {
  await ensureBuilt();
  cluster = await startFixtureCluster(1, { prefix: `ops${process.pid}` });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  removeFixtureBuilds();
});

describe('operator commands over --beam', () => {
  it('follow finds a transaction across ExESDB streams', async () => {
    const t = uniq();
    const order = { eventType: 'order_placed:v1', eventId: `o-${t}`, data: {}, metadata: { correlation_id: `c-${t}` } };
    const pay = {
      eventType: 'paid:v1',
      eventId: `p-${t}`,
      data: {},
      metadata: { correlation_id: `c-${t}`, causation_id: `o-${t}` },
    };
    expect(
      (
        await cli(
          ['--beam', cluster.nodes[0]!.name, '--cookie', cluster.cookie, 'append', `orders-${t}`, '--file', '-'],
          { input: JSON.stringify(order), env: { ERL_EPMD_PORT: String(cluster.epmd.port) } },
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await cli(['--beam', cluster.nodes[0]!.name, '--cookie', cluster.cookie, 'append', `pay-${t}`, '--file', '-'], {
          input: JSON.stringify(pay),
          env: { ERL_EPMD_PORT: String(cluster.epmd.port) },
        })
      ).code,
    ).toBe(0);
    const r = await run(['follow', `c-${t}`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.map((l) => [l.eventId, l.parentId])).toEqual([
      [`o-${t}`, null],
      [`p-${t}`, `o-${t}`],
    ]);
  }, 60_000);

  it.each([
    [['export', '$all']],
    [['subscriptions', 'parked', '--name', 'n1']],
    [['subscriptions', 'replay-parked', '--name', 'n1']],
    [['subscriptions', 'skip-parked', '--name', 'n1', '--yes']],
    [['subscriptions', 'reset', '--name', 'n1', '--to', '0', '--yes']],
    [['subscriptions', 'delete', '--name', 'n1', '--yes']],
  ])(
    '%j is refused with a clear reason (exit 1), not a crash',
    async (args) => {
      const r = await run([...args, '--json']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.json.at(-1)).toMatchObject({ error: { code: 'invalid_argument' } });
      expect(r.stderr).toMatch(/ExESDB/);
      expect(r.stderr).not.toMatch(/TypeError|undefined|at .*\.js:\d+/);
    },
    30_000,
  );
});
