import { afterEach, describe, expect, it } from 'vitest';
import { startGater, type Gater } from '../gateway/index.js';
import { ConsoleVitals } from './consoleVitals.js';

describe('console vitals (one clock for the header)', () => {
  let gater: Gater | undefined;
  afterEach(async () => {
    await gater?.stop();
  });

  it('counts nodes, streams and store events, and measures the append rate and delivery p99', async () => {
    gater = await startGater();
    let now = 0;
    const vitals = new ConsoleVitals(
      gater,
      () => true,
      1000,
      () => now,
    );
    const first = (await vitals.tick())!;
    expect(first).toMatchObject({ mode: 'embedded', store: 'reg_gh', nodes: { linked: 1, total: 1 }, streams: 0 });
    expect(first.storeEvents).toBe(0);
    expect(first.appendRate).toBe(0);
    expect(first.deliveryP99).toBeUndefined();

    await gater.api.appendEvents(
      'reg_gh',
      's1',
      Array.from({ length: 20 }, () => ({ eventType: 't:v1', data: {} })),
    );
    now += 2000;
    vitals.recordDelivery(Date.now() * 1000 - 7000, Date.now() - 60_000); // created 7 ms ago
    const second = (await vitals.tick())!;
    expect(second.storeEvents).toBe(20);
    expect(second.streams).toBe(1);
    expect(second.appendRate).toBe(10); // 20 events over 2 s
    expect(second.deliveryP99).toBeGreaterThanOrEqual(7);
    expect(second.memory.text).toMatch(/store 20 events in memory/);
  });

  it('leaves replayed history out of the delivery p99: only events created since the subscriber started count', async () => {
    gater = await startGater();
    const vitals = new ConsoleVitals(gater, () => true);
    const started = Date.now();
    vitals.recordDelivery((started - 50_000) * 1000, started); // replayed: created 50 s before the subscriber
    expect((await vitals.tick())!.deliveryP99).toBeUndefined();
    vitals.recordDelivery(Date.now() * 1000 - 3000, started); // live: created 3 ms ago
    const snap = (await vitals.tick())!;
    expect(snap.delivered).toBe(1);
    expect(snap.deliveryP99).toBeLessThan(1000);
  });

  it('over --beam the store has no head: no event count and no append rate, rather than a false 0', async () => {
    gater = await startGater();
    const beam = { ...gater, mode: 'beam' } as Gater;
    const vitals = new ConsoleVitals(beam, () => true);
    expect(vitals.current.appendRate).toBeUndefined();
    await gater.api.appendEvents('reg_gh', 's1', [{ eventType: 't:v1', data: {} }]);
    const s = (await vitals.tick())!;
    expect(s).toMatchObject({ mode: 'beam', streams: 1 });
    expect(s.appendRate).toBeUndefined();
    expect(s.storeEvents).toBeUndefined();
  });

  it('keeps the last figures and says so when the store does not answer', async () => {
    gater = await startGater({ store: 'other', noWorkersWaitMs: 10 });
    const vitals = new ConsoleVitals({ ...gater, store: 'missing' } as Gater, () => false);
    const s = (await vitals.tick())!;
    expect(s.error).toMatch(/no_workers|no workers|missing/i);
    expect(s.memory.text).not.toContain('store');
  });
});
