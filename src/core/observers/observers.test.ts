import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startGater, type Gater } from '../../gateway/index.js';
import { generateGreenhouseEvents } from '../../domain/greenhouse/index.js';
import { ObserverRegistry } from './observerRegistry.js';
import { ProducerManager } from './producers.js';
import type { EventRecord } from '../types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ObserverRegistry and ProducerManager', () => {
  let gater: Gater;
  let observers: ObserverRegistry;
  let producers: ProducerManager;
  beforeEach(async () => {
    gater = await startGater();
    observers = new ObserverRegistry(gater.api, 'reg_gh');
    producers = new ProducerManager(gater.api, 'reg_gh', (v, n) => generateGreenhouseEvents(v, n));
  });
  afterEach(async () => {
    await producers.stopAll();
    await observers.stopAll();
    await gater.stop();
  });

  it('an observer starts live by default, counts what it sees, and stops', async () => {
    await gater.api.appendEvents('reg_gh', 'greenhouse1', generateGreenhouseEvents(-1, 5));
    const o = await observers.create('all_obs', 'by_stream', '$all');
    const seen: EventRecord[] = [];
    o.on((es) => seen.push(...es));
    await gater.api.appendEvents('reg_gh', 'greenhouse2', generateGreenhouseEvents(-1, 2));
    await vi.waitUntil(() => seen.length >= 2, { timeout: 10_000 });
    expect(seen.map((e) => e.eventStreamId)).toEqual(['greenhouse2', 'greenhouse2']);
    expect(observers.list()[0]).toMatchObject({ name: 'all_obs', status: 'Running', seen: 2, topic: 'reg_gh:$all' });
    await expect(observers.create('all_obs', 'by_stream', '$all')).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(observers.create('  ', 'by_stream', '$all')).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(await observers.stop('all_obs')).toBe('stopped');
    await expect(observers.stop('all_obs')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('producers write to greenhouse1..N, report counts, rate and last version, and stop', async () => {
    const notices: number[] = [];
    producers.onAppended((n) => notices.push(n.version));
    expect(producers.startMany(3, { batchSize: 2, periodMs: 10 })).toEqual([
      'greenhouse1',
      'greenhouse2',
      'greenhouse3',
    ]);
    // Until each made at least two appends (counted, not slept: a loaded box runs fewer ticks per second).
    await vi.waitUntil(() => producers.list().every((p) => p.produced >= 4), { timeout: 10_000 });
    await producers.stop('greenhouse2');
    const list = producers.list();
    expect(list.map((p) => p.stream)).toEqual(['greenhouse1', 'greenhouse3']);
    for (const p of list) {
      expect(p.produced).toBeGreaterThanOrEqual(4);
      expect(p.lastVersion).toBe(p.produced - 1);
      expect(p.ratePerSec).toBeGreaterThan(0);
    }
    const first = await gater.api.getEvents('reg_gh', 'greenhouse1', 0, 1);
    expect(first[0]!.eventType).toBe('initialized:v1');
    await expect(producers.stop('greenhouse9')).rejects.toMatchObject({ code: 'not_found' });
    expect(() => producers.startMany(0)).toThrow(/>= 1/);
  });

  it('a producer whose append fails shows failing with the error, keeps trying, and is running again once one succeeds', async () => {
    let broken = true;
    const flaky = new ProducerManager(gater.api, 'reg_gh', (v, n, stream) => {
      if (broken) throw new Error('generator out of order');
      return generateGreenhouseEvents(v, n, { seed: stream });
    });
    try {
      flaky.start('flaky1', { periodMs: 5 });
      const until = async (cond: () => boolean) => {
        for (let i = 0; i < 1000 && !cond(); i++) await sleep(5);
        expect(cond()).toBe(true);
      };
      await until(() => flaky.list()[0]?.status === 'failing');
      expect(flaky.list()[0]).toMatchObject({
        status: 'failing',
        lastError: expect.stringContaining('generator out of order'),
        produced: 0,
      });
      broken = false;
      await until(() => flaky.list()[0]?.status === 'running');
      expect(flaky.list()[0]).toMatchObject({ status: 'running', lastError: null });
      expect(flaky.list()[0]!.produced).toBeGreaterThan(0);
    } finally {
      await flaky.stopAll();
    }
  });
});
