import { KEY, renderConsole, type ConsoleHarness } from '../../../test/helpers/renderWithProviders.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

describe('producer options (7-9)', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  it('7 re-prompts on non-numeric, zero and negative counts, then starts greenhouse1..N with the given batch and period', async () => {
    await c.choose(7);
    await c.waitFor('🏭 Starting Producers');
    await c.waitFor('Number of producers (default 3):');
    await c.answer('three');
    await c.waitFor('❌ "three" is not a whole number; the number of producers must be a number such as 3');
    await c.answer('0');
    await c.waitFor('❌ the number of producers must be 1 or more, got 0');
    await c.answer('-2');
    await c.waitFor('❌ the number of producers must be 1 or more, got -2');
    await c.answer('2');
    await c.waitFor('Batch size, events per append (default 1):');
    await c.answer('x');
    await c.waitFor('❌ "x" is not a whole number; the batch size');
    await c.answer('2');
    await c.waitFor('Period between appends in ms (default 2000):');
    await c.answer('30');
    const f = await c.waitFor('✅ Started 2 producers');
    expect(f).toContain('greenhouse1, greenhouse2 (2 event(s) every 30 ms)');
    expect(c.services.producers.list().map((p) => [p.stream, p.batchSize, p.periodMs])).toEqual([
      ['greenhouse1', 2, 30],
      ['greenhouse2', 2, 30],
    ]);
    // APPENDED lines scroll in the activity pane under the menu.
    await c.waitFor(/APPENDED \["2 event\(s\) to :reg_gh:greenhouse[12]\.v\(\d+\)"\]/);
  });

  it('7 takes the defaults on empty input and says which producers were already running', async () => {
    c.services.startProducers(1, { periodMs: 60_000 });
    await c.choose(7);
    await c.answer('');
    await c.waitFor('Batch size');
    await c.answer('');
    await c.waitFor('Period between');
    await c.answer('');
    const f = await c.waitFor('✅ Started 2 producers');
    expect(f).toContain('greenhouse2, greenhouse3 (1 event(s) every 2000 ms)');
    expect(f).toContain('⚠️  1 already running, left as they are');
  });

  it('7 accepts all defaults from Enters typed faster than the screen redraws, or pasted in one chunk', async () => {
    await c.choose(7);
    await c.waitFor('Number of producers (default 3):');
    await c.press('\r\r'); // one chunk: two Enters
    await c.press('\r');
    await c.waitFor('✅ Started 3 producers');
    expect(c.services.producers.list().map((p) => [p.stream, p.batchSize, p.periodMs])).toEqual([
      ['greenhouse1', 1, 2000],
      ['greenhouse2', 1, 2000],
      ['greenhouse3', 1, 2000],
    ]);
  });

  it('Esc half-way through 7 starts nothing', async () => {
    await c.choose(7);
    await c.answer('4');
    await c.waitFor('Batch size');
    await c.back();
    expect(c.frame()).toContain('Cancelled — no producer was started');
    expect(c.services.producers.list()).toEqual([]);
  });

  it('8 stops a producer by stream, re-prompting on an unknown stream', async () => {
    await c.choose(8);
    await c.waitFor('⚠️  No active producers — start some with 7 first');
    await c.back();
    c.services.startProducers(2, { periodMs: 60_000 });
    await c.choose(8);
    await c.waitFor('Running: greenhouse1, greenhouse2');
    await c.answer('greenhouse9');
    await c.waitFor("❌ no producer for stream 'greenhouse9'; running: greenhouse1, greenhouse2");
    await c.answer('greenhouse1');
    await c.waitFor("✅ Producer for 'greenhouse1' stopped");
    expect(c.services.producers.list().map((p) => p.stream)).toEqual(['greenhouse2']);
  });

  it('8 picks with the arrows: Enter on an empty prompt stops the marked producer', async () => {
    c.services.startProducers(3, { periodMs: 60_000 });
    await c.choose(8);
    await c.waitFor(/Enter on an empty prompt stops greenhouse1/);
    await c.press(KEY.down);
    await c.waitFor(/Enter on an empty prompt stops greenhouse2/);
    await c.answer('');
    await c.waitFor("✅ Producer for 'greenhouse2' stopped");
    expect(c.services.producers.list().map((p) => p.stream)).toEqual(['greenhouse1', 'greenhouse3']);
  });

  it('9 lists producers with events produced, rate and last version', async () => {
    await c.choose(9);
    await c.waitFor('⚠️  No active producers');
    await c.back();
    c.services.startProducers(2, { batchSize: 1, periodMs: 20 });
    await vi.waitUntil(() => c.services.producers.list().every((p) => p.produced > 2), { timeout: 10_000 });
    await c.choose(9);
    const f = await c.waitFor(/greenhouse2\s+running\s+\d+/);
    expect(f).toMatch(/Stream\s+Status\s+Produced\s+Rate\/s\s+Last ver\s+Batch\s+Period/);
    const row = f.split('\n').find((l) => /^(❯ | {2})greenhouse1 /.test(l))!;
    const [, produced, rate, last] = row.match(/greenhouse1\s+running\s+(\d+)\s+([\d.]+)\s+(\d+)\s+1\s+20 ms/)!;
    expect(Number(produced)).toBeGreaterThan(2);
    expect(Number(rate)).toBeGreaterThan(0);
    expect(Number(last)).toBeGreaterThanOrEqual(Number(produced) - 2); // the table refreshes once a second
  });
});
