import { renderConsole, type ConsoleHarness } from '../../../test/helpers/renderWithProviders.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

describe('live monitor under load', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  it('counts 10,000 events exactly, keeps 500 lines, and draws at most ~30 frames a second', async () => {
    await c.services.createObserver('all_obs', 'by_stream', '$all');
    await c.choose(5);
    await c.answer('all_obs');
    await c.waitFor('👁️  Monitoring Observer: all_obs');
    const before = c.frameCount();
    const started = Date.now();
    for (let i = 0; i < 100; i++) {
      await c.gater.api.appendEvents(
        'reg_gh',
        `s${i % 4}`,
        Array.from({ length: 100 }, (_, j) => ({ eventType: 'tick:v1', data: { i, j } })),
      );
    }
    const f = await c.waitFor('total 10000');
    const seconds = (Date.now() - started) / 1000;
    expect(f).toContain('buffer 500/500');
    // 30 fps for the feed, plus the 4/s rate clock and the 2/s liveness check, plus slack for the last frame.
    expect(c.frameCount() - before).toBeLessThanOrEqual(Math.ceil(seconds * 36) + 5);
    expect(c.services.observers.get('all_obs')?.seen).toBe(10_000);
  });
});

describe('live monitor status bar and header', () => {
  it("shows the process's memory and, on memory storage, how many events the store holds", async () => {
    const c = await renderConsole();
    try {
      await c.services.createObserver('all_obs', 'by_stream', '$all');
      await c.gater.api.appendEvents('reg_gh', 's1', [{ eventType: 'tick:v1', data: {} }]);
      await c.choose(5);
      await c.answer('all_obs');
      const f = await c.waitFor(/store 1 events in memory/);
      expect(f).toMatch(/mem \d+ MB \(heap \d+\/\d+ MB\) · store 1 events in memory/);
      expect(f).toMatch(/delivery p99 [\d.]+ ms/); // the observer received the event
      expect(f).toMatch(/● LIVE │ [\d.]+ ev\/s │ total \d+ │ buffer \d+\/500 │ mem \d+ MB/);
    } finally {
      await c.cleanup();
    }
  });
});
