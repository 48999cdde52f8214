import { KEY, renderConsole, type ConsoleHarness } from '../../test/helpers/renderWithProviders.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

describe('console shell', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  it('shows the banner and the 15 options grouped and numbered as the reference', async () => {
    const f = await c.waitFor('Streams: 0');
    expect(f).toContain('🚀 ExESDB Interactive Test Console');
    expect(f).toMatch(/Store: reg_gh\s+Mode: embedded\s+Nodes: 1\/1 linked\s+Streams: 0/);
    expect(f).toMatch(
      /append 0\.0 ev\/s · delivery p99 - · mem \d+ MB \(heap \d+\/\d+ MB\) · store 0 events in memory/,
    );
    expect(f).toContain('========== ExESDB Interactive Console ==========');
    for (const g of ['📊 Observers:', '🏭 Producers:', '📡 Subscriptions:', '📈 Data Management:', '🚪 Exit:'])
      expect(f).toContain(g);
    expect(f).toContain('1. Create Observer by Stream');
    expect(f).toContain('9. List Active Producers');
    expect(f).toContain('15. Exit Console');
    expect(f).toContain('👉 Select an option (1-15):');
  });

  it('rejects anything but 1..15 with the reference message and shows the menu again', async () => {
    for (const bad of ['0', '16', 'abc', '1 5']) {
      await c.answer(bad);
      await c.waitFor('❌ Invalid choice. Please try again.');
      expect(c.frame()).toContain('Select an option (1-15)');
    }
  });

  it('opens an option by arrows (wrapping) + Enter and by number + Enter; Esc goes back to the chosen item', async () => {
    await c.press(KEY.up);
    await c.waitFor(/❯ 15\. Exit Console/); // wraps from the first to the last
    await c.press(KEY.down);
    await c.waitFor(/❯ 1\. Create Observer by Stream/);
    await c.press(KEY.down);
    await c.press(KEY.enter);
    await c.waitFor('📊 Creating Observer by Event Type');
    await c.back();
    await c.waitFor(/❯ 2\. Create Observer by Event Type/);
    await c.choose(9);
    await c.waitFor('📋 Active Producers');
    await c.back();
    await c.waitFor(/❯ 9\. List Active Producers/);
  });

  it('q exits cleanly and the final frame shows the shutdown lines', async () => {
    await c.choose(7);
    await c.waitFor('Number of producers (default 3)');
    await c.answer('2');
    await c.answer('');
    await c.answer('50');
    await c.waitFor('✅ Started 2 producers');
    await c.press('q');
    const f = await c.waitFor('✅ Console shut down successfully!');
    expect(f).toContain('👋 Shutting down ExESDB Interactive Console...');
    expect(f).toContain('🛑 Stopped producer: greenhouse1');
    expect(f).toContain('🛑 Stopped producer: greenhouse2');
    expect(c.services.producers.list()).toEqual([]);
    expect(c.exitState.shutdownShown).toBe(true);
  });

  it('option 15 exits and stops observers, producers and subscriptions', async () => {
    await c.services.createObserver('all_obs', 'by_stream', '$all');
    c.services.startProducers(1, { batchSize: 1, periodMs: 50 });
    await c.services.createSubscription('sub1', '$all', 0);
    await c.choose(15);
    const f = await c.waitFor('✅ Console shut down successfully!');
    expect(f).toContain('🛑 Stopped observer: all_obs');
    expect(f).toContain('🛑 Stopped producer: greenhouse1');
    expect(f).toContain('🛑 Stopped subscription: sub1');
    expect(c.services.observers.list()).toEqual([]);
    expect(c.services.subscription('sub1')?.status).toBe('Stopped');
  });
});
