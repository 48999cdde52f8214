import { afterEach, describe, expect, it } from 'vitest';
import { startGater, type EmbeddedGater as Gater } from '../../gateway/index.js';
import { benchProgressLine, benchRecords, benchText, runBench, type BenchProgress } from './index.js';

const LATENCY_KEYS = ['count', 'mean', 'p50', 'p90', 'p99', 'p999', 'max'];

describe('runBench against an embedded gateway', () => {
  let gater: Gater | undefined;
  afterEach(async () => {
    await gater?.stop();
    gater = undefined;
  });

  it('closed loop: counts every event per operation, checks delivery once in order, reports per node', async () => {
    gater = await startGater();
    const progress: BenchProgress[] = [];
    const report = await runBench(gater.api, {
      store: 'reg_gh',
      clients: 3,
      events: 300,
      batch: 7,
      streams: 4,
      subscribers: 2,
      progressMs: 1,
      onProgress: (p) => progress.push(p),
    });
    const [append, read, delivery] = report.ops;
    expect(report.ops.map((o) => o.op)).toEqual(['append', 'read', 'delivery']);
    expect(append).toMatchObject({ events: 300, calls: 43, errors: {} }); // 42 calls of 7 and one of 6
    expect(append!.latency.count).toBe(43);
    expect(read).toMatchObject({ events: 300, errors: {} });
    expect(delivery!.events).toBe(600);
    expect(report.delivery).toEqual({
      subscribers: 2,
      expected: 300,
      delivered: [300, 300],
      duplicates: 0,
      outOfOrder: 0,
      missing: 0,
    });
    expect(report.nodes.map((n) => [n.node, n.op, n.calls])).toEqual([
      [gater.node!.name, 'append', 43],
      [gater.node!.name, 'read', read!.calls],
    ]);
    expect(report.errors).toEqual({});
    // the run's streams hold exactly what it appended
    const streams = (await gater.api.getStreams('reg_gh')).filter((s) => s.startsWith(`bench-${report.runId}-`));
    expect(streams).toHaveLength(4);
    expect(progress.at(-1)).toMatchObject({ appended: 300, delivered: 300, read: 300, errors: 0 });
    expect(benchProgressLine(progress.at(-1)!)).toMatch(/^bench: .*appended 300 .*delivered 300 .*errors 0$/);
  });

  it('--json shape: one object per line, typed op / node / run, latency in the same keys everywhere', async () => {
    gater = await startGater();
    const report = await runBench(gater.api, { store: 'reg_gh', events: 20, subscribers: 1 });
    const lines = benchRecords(report, 'embedded memory').map((r) => JSON.stringify(r));
    for (const l of lines) expect(l).not.toContain('\n');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => p.type)).toEqual(['op', 'op', 'op', 'node', 'node', 'run']);
    for (const p of parsed.filter((x) => x.type !== 'run')) {
      expect(Object.keys(p.latency as object)).toEqual(LATENCY_KEYS);
      expect(p.runId).toBe(report.runId);
    }
    expect(Object.keys(parsed[0]!)).toEqual([
      'type',
      'runId',
      'op',
      'calls',
      'events',
      'seconds',
      'eventsPerSec',
      'callsPerSec',
      'latency',
      'errors',
    ]);
    expect(parsed.at(-1)).toMatchObject({
      type: 'run',
      target: 'embedded memory',
      clients: 1,
      batch: 1,
      streams: 10,
      subscribers: 1,
      mode: 'closed',
      events: 20,
      delivery: { expected: 20, delivered: [20], duplicates: 0, outOfOrder: 0, missing: 0 },
      errors: {},
      aborted: false,
    });
    const text = benchText(report, 'embedded memory').join('\n');
    expect(text).toMatch(/^append +20 +20 /m);
    expect(text).toContain('once, in order');
  });

  it('open loop at a rate: paced by the schedule, not by the answers', async () => {
    gater = await startGater();
    const t0 = performance.now();
    const report = await runBench(gater.api, {
      store: 'reg_gh',
      rate: 1000,
      durationMs: 300,
      read: false,
      subscribers: 1,
    });
    const elapsed = performance.now() - t0;
    expect(report.config).toMatchObject({ mode: 'open', rate: 1000, durationMs: 300 });
    // 300 slots of 1 ms; the schedule, not the speed of the store, sets the count
    expect(report.ops[0]!.calls).toBe(300);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(report.delivery).toMatchObject({ expected: 300, duplicates: 0, outOfOrder: 0, missing: 0 });
  });

  it('with both events and a duration, stops at whichever is reached first', async () => {
    gater = await startGater();
    const byCount = await runBench(gater.api, { store: 'reg_gh', events: 50, durationMs: 60_000, read: false });
    expect(byCount.ops[0]).toMatchObject({ events: 50, calls: 50 });
    expect(byCount.config).toMatchObject({ events: 50, durationMs: 60_000 });
    // 50 calls at 1,000/s take 50 ms of schedule: the 20 ms duration ends the run first
    const byTime = await runBench(gater.api, { store: 'reg_gh', events: 50, durationMs: 20, rate: 1000, read: false });
    expect(byTime.ops[0]!.calls).toBe(20);
  });

  it('errors are counted by code and the run goes on', async () => {
    gater = await startGater({ noWorkersWaitMs: 20 });
    const report = await runBench(gater.api, { store: 'nowhere', events: 3 });
    expect(report.ops[0]).toMatchObject({ op: 'append', calls: 3, events: 0, errors: { no_workers: 3 } });
    expect(report.errors).toEqual({ no_workers: 3 });
    expect(report.ops).toHaveLength(1); // nothing was written, so nothing to read back
    expect(benchText(report, 'x').at(-1)).toBe('errors: no_workers 3');
  });

  it('bad options are refused before anything runs', async () => {
    gater = await startGater();
    await expect(runBench(gater.api, { store: 'reg_gh', batch: 0 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });
});
