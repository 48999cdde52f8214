import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY, renderConsole, type ConsoleHarness } from '../../../test/helpers/renderWithProviders.js';
import { generateGreenhouseEvents } from '../../domain/greenhouse/index.js';

const PG_UP = '\u001B[5~';
const seen = (f: string) => f.split('\n').filter((l) => /^(❯ | {2})?SEEN \["/.test(l));
const selected = (f: string) => f.split('\n').find((l) => l.startsWith('❯ SEEN'));

describe('live view: scrollback, event details, follow, copy, export, keys', () => {
  let c: ConsoleHarness;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-export-'));
    c = await renderConsole({}, { exportDir: dir });
    await c.services.createObserver('all_obs', 'by_stream', '$all');
    // one transaction of 5 events (correlated, each caused by the one before) and one of 40
    await c.gater.api.appendEvents('reg_gh', 'greenhouse1', generateGreenhouseEvents(-1, 5, { seed: 1 }));
    await c.gater.api.appendEvents('reg_gh', 'greenhouse2', generateGreenhouseEvents(-1, 40, { seed: 2 }));
    await c.choose(5);
    await c.answer('all_obs');
    await c.waitFor('total 45');
  });
  afterEach(async () => {
    await c.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('↑ selects the newest line; the window stays put while new events arrive; G returns to live', async () => {
    await c.press(KEY.up);
    let f = await c.waitFor('⇞ SCROLLED BACK');
    expect(selected(f)).toContain('greenhouse2:');
    expect(selected(f)).toContain('(v39)');
    await c.press(KEY.up);
    await c.waitFor((s) => selected(s)?.includes('(v38)') ?? false);
    await c.press(PG_UP);
    f = await c.waitFor((s) => !(selected(s)?.includes('(v38)') ?? true));
    const before = seen(f);
    await c.gater.api.appendEvents('reg_gh', 'greenhouse3', generateGreenhouseEvents(-1, 10, { seed: 3 }));
    f = await c.waitFor('SCROLLED BACK (+10 new)');
    expect(seen(f)).toEqual(before); // no jump
    await c.press('G');
    f = await c.waitFor('● LIVE');
    expect(seen(f).at(-1)).toMatch(/^SEEN \["greenhouse3:/);
    expect(selected(f)).toBeUndefined();
  });

  it('g goes to the oldest line kept; Enter opens its details; f shows its transaction as `follow` does', async () => {
    await c.press('g');
    let f = await c.waitFor((s) => selected(s)?.includes('greenhouse1:') ?? false);
    expect(selected(f)).toContain('(v0)');
    await c.press(KEY.enter);
    f = await c.waitFor('🔎 Event greenhouse1 #0 — initialized:v1');
    expect(f).toMatch(/stream\s+greenhouse1 {3}version 0 {3}position 0/);
    expect(f).toMatch(/event id\s+\S+/);
    expect(f).toMatch(/created\s+\d{4}-\d\d-\d\dT/);
    expect(f).toMatch(/correlation\s+\S+/);
    expect(f).toContain('metadata:');
    expect(f).toMatch(/data:\n\s+\{\n\s+"temperature": \d+/); // pretty JSON
    await c.press('f');
    f = await c.waitFor(/🔗 Correlation tree: 5 events in 1 stream, correlation \S+/);
    const tree = f.split('\n').filter((l) => / greenhouse1 #\d/.test(l));
    expect(tree).toHaveLength(5);
    expect(tree[0]).toMatch(/^❯ ● greenhouse1 #0 {2}initialized:v1/); // the event we came from, selected
    expect(tree[1]).toMatch(/^\s+↳ greenhouse1 #1 /);
    await c.press(KEY.down);
    await c.press(KEY.enter);
    await c.waitFor('🔎 Event greenhouse1 #1 —');
    await c.press(KEY.escape);
    f = await c.waitFor('⇞ SCROLLED BACK');
    expect(f).not.toContain('🔎 Event');
    await c.press(KEY.escape); // back to live
    await c.waitFor('● LIVE');
  });

  it('c copies the event as JSON with an OSC 52 escape to the terminal, and says so', async () => {
    await c.press(KEY.enter); // nothing selected: the newest event
    await c.waitFor('🔎 Event greenhouse2 #39');
    const from = c.writes().length;
    await c.press('c');
    await c.waitFor('📋 Copied greenhouse2 #39 as JSON (OSC 52');
    const osc = c
      .writes()
      .slice(from)
      // eslint-disable-next-line no-control-regex -- an OSC 52 sequence is framed by ESC and BEL
      .map((w) => /\u001B\]52;c;([A-Za-z0-9+/=]+)\u0007/.exec(w)?.[1])
      .find(Boolean);
    expect(osc).toBeDefined();
    const copied = JSON.parse(Buffer.from(osc!, 'base64').toString('utf8')) as Record<string, unknown>;
    expect(copied).toMatchObject({ eventStreamId: 'greenhouse2', eventNumber: 39, position: 44 });
  });

  it('e exports the lines shown (filter applied) as NDJSON to a new file and says the path', async () => {
    await c.press('/');
    await c.waitFor('/ filter (Enter apply');
    await c.answer('greenhouse1');
    await c.waitFor('filter /greenhouse1/ 5 match(es)');
    await c.press('e');
    const f = await c.waitFor(/💾 Exported 5 events to (\S+\.ndjson)/);
    const path = /💾 Exported 5 events to (\S+\.ndjson)/.exec(f)![1]!;
    expect(readdirSync(dir)).toEqual([path.slice(dir.length + 1)]);
    expect(path).toMatch(/ex-esdb-all_obs-\d{8}-\d{6}\.ndjson$/);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { eventNumber: number }).eventNumber)).toEqual([0, 1, 2, 3, 4]);
    // a second export in the same second gets its own file
    await c.press('e');
    await c.waitFor(() => readdirSync(dir).length === 2);
  });

  it('? shows the keymap of the view, of the detail pane and of the tree; any key closes it', async () => {
    await c.press('?');
    let f = await c.waitFor('⌨️ Keys — Live view (monitor, subscription)');
    expect(f).toMatch(/PgUp \/ PgDn\s+scroll back/);
    expect(f).toMatch(/Ctrl-C\s+leave the view \(a second Ctrl-C at the menu quits\)/);
    await c.press('x');
    f = await c.waitFor((s) => !s.includes('⌨️ Keys'));
    expect(f).toContain('👁️  Monitoring Observer: all_obs'); // still in the view
    await c.press(KEY.enter);
    await c.waitFor('🔎 Event');
    await c.press('?');
    f = await c.waitFor('⌨️ Keys — Event details');
    expect(f).toMatch(/c\s+copy the event as JSON \(OSC 52/);
    await c.press(KEY.escape);
    await c.waitFor((s) => !s.includes('⌨️ Keys') && s.includes('🔎 Event'));
    await c.press('f');
    await c.waitFor('🔗 Correlation tree');
    await c.press('?');
    await c.waitFor('⌨️ Keys — Correlation tree');
  });
});
