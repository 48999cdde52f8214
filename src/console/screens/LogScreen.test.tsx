import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY, renderConsole, type ConsoleHarness } from '../../../test/helpers/renderWithProviders.js';

describe('l: the gateway log, enlarged and scrollable', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  // The enlarged view's lines only (the small pane under every screen shows the newest ones too).
  const lineNumbers = (f: string) =>
    [...(f.split('📜 Gateway log')[1] ?? '').split('↑/↓ PgUp/PgDn')[0]!.matchAll(/log line (\d+)\b/g)].map((m) =>
      Number(m[1]),
    );

  it('shows the newest lines, scrolls back a line, a page and to the oldest, and stays put while lines arrive', async () => {
    for (let i = 1; i <= 120; i++) c.services.logs.log('info', `log line ${i}`);
    await c.press('l');
    let f = await c.waitFor('📜 Gateway log');
    expect(f).toMatch(/newest \d+ of 1\d\d lines/);
    const newest = lineNumbers(f);
    expect(newest.at(-1)).toBe(120);
    await c.press(KEY.up);
    f = await c.waitFor('1 newer below');
    expect(lineNumbers(f).at(-1)).toBe(119);
    // lines arriving while scrolled back do not move the window
    c.services.logs.log('warn', 'log line 121');
    f = await c.waitFor('2 newer below');
    expect(lineNumbers(f).at(-1)).toBe(119);
    await c.press('g');
    await c.waitFor((s) => lineNumbers(s)[0] === 1);
    await c.press('G');
    await c.waitFor((s) => lineNumbers(s).at(-1) === 121 && s.includes('newest'));
    const page = lineNumbers(c.frame()).length;
    await c.press('\u001B[5~'); // PgUp
    f = await c.waitFor(`${page} newer below`);
    expect(lineNumbers(f).at(-1)).toBe(121 - page);
    await c.back();
    await c.waitFor('l logs');
  });
});
