import { KEY, renderConsole, type ConsoleHarness } from '../../../test/helpers/renderWithProviders.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateGreenhouseEvents } from '../../domain/greenhouse/index.js';

const rows = (f: string) => f.split('\n').filter((l) => /^(❯ | {2})v\d+\s/.test(l));

describe('data options (12-14)', () => {
  let c: ConsoleHarness;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'browser-export-'));
    c = await renderConsole({}, { exportDir: dir });
  });
  afterEach(async () => {
    await c.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('12 says so when there are no streams', async () => {
    await c.choose(12);
    await c.waitFor('⚠️  No streams yet — start producers (7) or append events (13)');
    await c.back();
  });

  it('12 picks a stream by name or number, re-prompts on unknown ones, and pages forward and backward', async () => {
    await c.gater.api.appendEvents('reg_gh', 'greenhouse2', generateGreenhouseEvents(-1, 2, { seed: 3 }));
    await c.gater.api.appendEvents('reg_gh', 'greenhouse1', generateGreenhouseEvents(-1, 12, { seed: 4 }));
    await c.choose(12);
    let f = await c.waitFor('Available streams:');
    expect(f).toContain('  1. greenhouse1');
    expect(f).toContain('  2. greenhouse2');
    await c.answer('greenhouse7');
    await c.waitFor("❌ Stream 'greenhouse7' not found in reg_gh");
    await c.answer('5');
    await c.waitFor('❌ there is no stream 5; pick 1-2');
    await c.answer('1');
    await c.waitFor('Number of events per page (default 10):');
    await c.answer('ten');
    await c.waitFor('❌ "ten" is not a whole number');
    await c.answer('5');
    await c.waitFor("📄 Events from 'greenhouse1':");
    f = await c.waitFor('versions 0–4 of 0–11 · page 1/3');
    expect(rows(f)).toHaveLength(5);
    expect(rows(f)[0]).toMatch(
      /^❯ v0\s+initialized:v1\s+\d\d:\d\d:\d\d \{"temperature":\d+,"humidity":\d+,"light":\d+\}/,
    );
    await c.press(KEY.right);
    await c.waitFor('versions 5–9 of 0–11 · page 2/3');
    await c.press('n');
    f = await c.waitFor('versions 10–11 of 0–11 · page 3/3');
    expect(rows(f)).toHaveLength(2);
    await c.press('n'); // stays on the last page
    await c.press(KEY.left);
    await c.waitFor('versions 5–9 of 0–11 · page 2/3');
    await c.press('g');
    await c.waitFor('versions 0–4 of 0–11 · page 1/3');
    await c.press('G');
    await c.waitFor('page 3/3');
    await c.back();
  });

  it('12: ↑/↓ select across pages, Enter opens the details, e exports the whole stream, ? lists the keys', async () => {
    await c.gater.api.appendEvents('reg_gh', 'greenhouse1', generateGreenhouseEvents(-1, 12, { seed: 4 }));
    await c.choose(12);
    await c.answer('greenhouse1');
    await c.answer('5');
    await c.waitFor('versions 0–4 of 0–11 · page 1/3');
    for (let i = 0; i < 5; i++) await c.press(KEY.down); // past the last row: the next page's first
    let f = await c.waitFor('versions 5–9 of 0–11 · page 2/3');
    expect(rows(f)[0]).toMatch(/^❯ v5\s/);
    await c.press(KEY.up); // and back up: the previous page's last row
    await c.waitFor((s) => rows(s)[4]?.startsWith('❯ v4') ?? false);
    await c.press(KEY.enter);
    f = await c.waitFor('🔎 Event greenhouse1 #4 —');
    expect(f).toMatch(/stream\s+greenhouse1 {3}version 4 {3}position 4/);
    await c.press('f');
    await c.waitFor(/🔗 Correlation tree: 12 events in 1 stream/);
    await c.press(KEY.escape);
    await c.waitFor('🔎 Event greenhouse1 #4 —');
    await c.press(KEY.escape);
    await c.waitFor('versions 0–4 of 0–11 · page 1/3');
    await c.press('e');
    f = await c.waitFor('💾 Exported 12 events of greenhouse1 to');
    const [file] = readdirSync(dir);
    expect(file).toMatch(/^ex-esdb-greenhouse1-\d{8}-\d{6}\.ndjson$/);
    expect(f.replace(/\n/g, '')).toContain(join(dir, file!)); // the whole path is shown (wrapped if long)
    const lines = readFileSync(join(dir, file!), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { eventNumber: number }).eventNumber)).toEqual([...Array(12).keys()]);
    await c.press('?');
    f = await c.waitFor('⌨️ Keys — Stream browser');
    expect(f).toMatch(/e\s+export the whole stream as NDJSON/);
    await c.press(' ');
    await c.waitFor((s) => !s.includes('⌨️ Keys') && s.includes('versions 0–4 of 0–11'));
    await c.back();
  });

  it('13 appends generated events with defaults and shows the new version and the last 3 events', async () => {
    await c.choose(13);
    await c.waitFor('📝 Append Events Manually');
    await c.answer('');
    await c.waitFor('Number of events to append (default 5):');
    await c.answer('many');
    await c.waitFor('❌ "many" is not a whole number');
    await c.answer('0');
    await c.waitFor('❌ the number of events must be 1 or more');
    await c.answer('');
    await c.waitFor('Event type (Enter for generated greenhouse events):');
    await c.answer('');
    const f = await c.waitFor("✅ Appended 5 events to 'greenhouse1' (stream version now 4)");
    expect(f).toContain('Latest events:');
    const bullets = f.split('\n').filter((l) => l.startsWith('  • greenhouse1:'));
    expect(bullets.map((b) => b.match(/\(v(\d+)\)/)![1])).toEqual(['2', '3', '4']);
    expect(await c.gater.api.getVersion('reg_gh', 'greenhouse1')).toBe(4);
  });

  it('13 appends a typed event with a JSON or map payload, re-prompting on a bad payload', async () => {
    await c.choose(13);
    await c.answer('orders');
    await c.answer('2');
    await c.waitFor('Event type');
    await c.answer('order_placed:v1');
    await c.waitFor('Payload as JSON or %{...} map (default {}):');
    await c.answer('{"id": 1,');
    await c.waitFor('❌ bad payload:');
    await c.answer('%{id: 1, lines: [%{sku: "A", qty: 2}]}');
    const f = await c.waitFor("✅ Appended 2 events to 'orders' (stream version now 1)");
    expect(f).toContain('  • orders:order_placed:v1 (v1) => {"id":1,"lines":[{"sku":"A","qty":2}]}');
  });

  it('Esc half-way through 13 appends nothing', async () => {
    await c.choose(13);
    await c.answer('greenhouse1');
    await c.waitFor('Number of events');
    await c.back();
    expect(c.frame()).toContain('Cancelled — nothing was appended');
    expect(await c.gater.api.getStreams('reg_gh')).toEqual([]);
  });

  it('14 shows nodes with state and heartbeat age, workers per store and node, and calls routed', async () => {
    await c.gater.api.getStreams('reg_gh');
    await c.choose(14);
    const f = await c.waitFor('Workers (store · node · worker · calls routed):');
    expect(f).toContain('🔗 Cluster Status');
    // the same verdict as `check cluster`, at the top
    expect(f).toMatch(/🔗 Cluster Status\n✅ check cluster: OK — 1 node of 1 serving reg_gh linked\n/);
    await c.press('?');
    await c.waitFor('⌨️ Keys — Cluster status');
    await c.press('x');
    await c.waitFor((s) => !s.includes('⌨️ Keys') && s.includes('check cluster: OK'));
    expect(f).toMatch(/Mode: embedded\s+Store: reg_gh\s+Storage: memory/);
    expect(f).toContain('Active gateway workers for reg_gh: 1');
    expect(f).toMatch(/Nodes \(1\):\n\s+🟢 embedded@\S+\s+alive\s+heartbeat -/);
    expect(f).toMatch(/• reg_gh\s+embedded@\S+\s+\S+\s+[1-9]\d*/);
    // its storage group (DESIGN §8): one memory storage, active, with the embedded node
    expect(f).toMatch(/Storage of reg_gh:\n\s+▶ memory\s+mem-[0-9a-f]{16}\s+active\s+nodes=\[embedded@\S+\]/);
  });
});
