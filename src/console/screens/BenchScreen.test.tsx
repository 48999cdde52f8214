import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY, renderConsole, type ConsoleHarness } from '../../../test/helpers/renderWithProviders.js';

describe(':bench — the load generator as a screen with live latency bars', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  const bench = async (flags: string) => {
    await c.press(':');
    await c.waitFor('Command (the scripted');
    await c.answer(`bench ${flags}`);
  };

  it('runs to the end and shows the report: appends counted, delivery once and in order', async () => {
    await bench('--events 2000 --batch 10 --subscribers 1');
    await c.waitFor('⏱️ Bench on reg_gh: 2000 events, batch 10, 1 client, 1 subscriber');
    const f = await c.waitFor('delivery: 1 subscriber, 2,000/2,000 each', 20_000);
    expect(f).toMatch(/^append\s+200\s+2,000\s/m);
    expect(f).toContain('(once, in order)');
    expect(await c.gater.api.getHeadPosition('reg_gh')).toBe(1999);
    await c.press(KEY.escape);
    await c.waitFor('Select an option (1-15)');
  });

  it('draws the percentiles as bars while it runs; Esc stops it early and the report says so', async () => {
    await bench('--duration 60s --rate 2000');
    const live = await c.waitFor(/append latency \([\d,]+ calls\)/, 10_000);
    for (const p of ['p50', 'p90', 'p99', 'p99.9', 'max'])
      expect(live).toMatch(new RegExp(`^\\s*${p.replace('.', '\\.')} █+ [\\d.]+ ms`, 'm'));
    await c.press(KEY.escape);
    await c.waitFor('(stopped early)', 10_000);
    await c.press(KEY.escape);
    await c.waitFor('Select an option (1-15)');
  });

  it('with --events and --duration stops at whichever ends first, as the scripted bench does', async () => {
    await bench('--events 300 --duration 60s');
    await c.waitFor('⏱️ Bench on reg_gh: 300 events or 60000 ms, whichever ends first');
    const f = await c.waitFor(/^append\s+300\s+300\s/m, 20_000);
    expect(f).not.toContain('(stopped early)');
    expect(await c.gater.api.getHeadPosition('reg_gh')).toBe(299);
  });

  it('refuses bad flags before anything runs', async () => {
    await bench('--duration soon');
    await c.waitFor('❌ --duration must be a duration such as 500, 500ms, 2s or 1m, got "soon"');
    expect(await c.gater.api.getHeadPosition('reg_gh')).toBe(-1);
  });
});
