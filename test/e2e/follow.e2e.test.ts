import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE, cli, ensureBuilt, spawnCli, startNodeProcess, uniq, type NodeProcess } from './helpers.js';

/**
 * `follow`: one business transaction across streams, as a tree by causation. The same transaction is written to
 * an embedded SQLite file and to a node on loopback (memory storage, over TCP), with unrelated events around it.
 */
describe.each(['sqlite', 'node'] as const)('follow <id> (%s)', (kind) => {
  // --live against embedded storage ends with the command, so it is exercised against the node only
  const itLive = kind === 'node' ? it : undefined;
  let node: NodeProcess | undefined;
  let dir: string;
  let target: string[];
  const t = uniq();
  const id = (s: string) => `${s}-${t}`;
  const corr = id('corr');

  const order = {
    eventType: 'order_placed:v1',
    eventId: id('order'),
    data: { total: 30 },
    metadata: { correlation_id: corr, causation_id: id('cmd') },
  };
  const payment = {
    eventType: 'payment_taken:v1',
    eventId: id('pay'),
    data: { amount: 30 },
    metadata: { correlationId: corr, causationId: id('order') },
  };
  const shipment = {
    eventType: 'shipment_booked:v1',
    eventId: id('ship'),
    data: {},
    metadata: { correlation_id: corr, causation_id: id('order') },
  };
  const receipt = {
    eventType: 'receipt_sent:v1',
    eventId: id('receipt'),
    data: {},
    metadata: { correlation_id: corr, causation_id: id('pay') },
  };
  const ndjson = (...evs: object[]) => evs.map((e) => JSON.stringify(e)).join('\n');

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'esdb-follow-'));
    if (kind === 'node') {
      node = await startNodeProcess();
      target = ['--connect', node.address, '--cookie', COOKIE];
    } else target = ['--storage', `sqlite:${join(dir, 'f.db')}`];
    const append = async (stream: string, ...evs: object[]) => {
      const r = await cli([...target, 'append', stream, '--file', '-', '--json'], { input: ndjson(...evs) });
      expect(r.code, r.stderr).toBe(0);
    };
    expect((await cli([...target, 'append', `gh-${t}`, '--generate', '20', '--json'])).code).toBe(0);
    await append(`orders-${t}`, order);
    await append(`payments-${t}`, payment);
    expect((await cli([...target, 'append', `gh2-${t}`, '--generate', '5', '--json'])).code).toBe(0);
    await append(`shipping-${t}`, shipment);
    await append(`payments-${t}`, receipt);
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the transaction from any of its ids and prints it as a tree by causation, depth first', async () => {
    for (const start of [corr, order.eventId, receipt.eventId, shipment.eventId]) {
      const r = await cli([...target, 'follow', start, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.map((l) => [l.eventId, l.depth, l.parentId])).toEqual([
        [order.eventId, 0, null],
        [payment.eventId, 1, order.eventId],
        [receipt.eventId, 1, payment.eventId],
        [shipment.eventId, 1, order.eventId],
      ]);
      expect(r.json[1]).toMatchObject({
        correlationId: corr,
        causationId: order.eventId,
        event: { eventStreamId: `payments-${t}`, data: { amount: 30 } },
      });
    }
    const human = await cli([...target, 'follow', corr]);
    expect(human.stderr).toContain(`4 events in 3 streams, correlation ${corr}`);
    const lines = human.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^● orders-${t} #0  order_placed:v1 .* ${order.eventId}$`));
    expect(lines[1]).toMatch(/^├─ payments-\S+ #0 {2}payment_taken:v1/);
    expect(lines[2]).toMatch(/^ {3}↳ payments-\S+ #1 {2}receipt_sent:v1/);
    expect(lines[3]).toMatch(/^└─ shipping-\S+ #0 {2}shipment_booked:v1/);
  }, 60_000);

  it('is useful on generated greenhouse events: the batch as one causation chain', async () => {
    const read = await cli([...target, 'read', `gh-${t}`, '--from', '7', '-n', '1', '--json']);
    const picked = read.json[0]!.eventId as string;
    const r = await cli([...target, 'follow', picked, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toHaveLength(20);
    expect(r.json.map((l) => (l.event as { eventNumber: number }).eventNumber)).toEqual([...Array(20).keys()]);
    expect(r.json.every((l) => l.depth === 0)).toBe(true);
    expect(r.json.slice(1).every((l, i) => l.parentId === r.json[i]!.eventId)).toBe(true);
  }, 30_000);

  it('an unknown id is not_found (exit 1); --limit stops early and says so', async () => {
    const r = await cli([...target, 'follow', `missing-${t}`, '--json']);
    expect(r.code).toBe(1);
    expect(r.json[0]).toMatchObject({ error: { code: 'not_found' } });
    const limited = await cli([...target, 'follow', corr, '--limit', '2']);
    expect(limited.code).toBe(0);
    expect(limited.stdout.trim().split('\n')).toHaveLength(2);
    expect(limited.stderr).toContain('stopped at --limit 2');
  }, 30_000);

  itLive?.(
    '--live prints new events of the transaction as they come, nothing else',
    async () => {
      const live = spawnCli([...target, 'follow', corr, '--live', '--json']);
      try {
        await live.waitForLines(4, 20_000);
        const late = {
          eventType: 'refund_issued:v1',
          eventId: id('refund'),
          data: {},
          metadata: { correlation_id: id('other'), causation_id: receipt.eventId },
        };
        const noise = { eventType: 'noise:v1', data: {}, metadata: { correlation_id: id('noise') } };
        expect(
          (await cli([...target, 'append', `other-${t}`, '--file', '-'], { input: ndjson(noise, late) })).code,
        ).toBe(0);
        const lines = await live.waitForLines(5, 20_000);
        const fifth = JSON.parse(lines[4]!) as Record<string, unknown>;
        expect(fifth).toMatchObject({ eventId: late.eventId, parentId: receipt.eventId, live: true });
        live.child.kill('SIGINT');
        expect(await live.exited).toBe(0);
        expect(live.stdout().trim().split('\n')).toHaveLength(5);
      } finally {
        live.child.kill('SIGKILL');
      }
    },
    60_000,
  );
});
