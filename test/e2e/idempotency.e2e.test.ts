import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, COOKIE, ensureBuilt, startNodeProcess, uniq, type NodeProcess } from './helpers.js';

/** Issue 10 items 4 and 5, as a user of the binary meets them. */
describe('append: event ids unique per store, timeouts as unknown outcomes, --idempotency-key', () => {
  let dir: string;
  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'esdb-idem-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('re-appending an --event-id stored earlier (other events in between) writes nothing and says deduplicated', async () => {
    const storage = ['--storage', `sqlite:${join(dir, 'dedup.db')}`];
    const once = ['append', 's', '--type', 'a:v1', '--event-id', 'order-1', '--data', '{"n":1}', '--json'];
    const first = await cli([...storage, ...once]);
    expect(first.json[0]).toEqual({ store: 'reg_gh', stream: 's', version: 0, count: 1 });
    await cli([...storage, 'append', 's', '--type', 'b:v1', '--json']);
    const again = await cli([...storage, ...once.map((a) => (a === '{"n":1}' ? '{"n":2}' : a))]);
    expect(again.code).toBe(0);
    expect(again.json[0]).toMatchObject({ version: 0, count: 1, deduplicated: true });
    const human = await cli([...storage, ...once.filter((a) => a !== '--json')]);
    expect(human.stdout).toMatch(/already stored: nothing written again/);
    const read = await cli([...storage, 'read', 's', '--json']);
    expect(read.json.map((e) => e.eventId)).toHaveLength(2);
    expect(read.json[0]).toMatchObject({ eventId: 'order-1', data: { n: 1 } });
    // a batch holding that id and a new one is refused, naming the id
    const mixed = JSON.stringify([
      { eventType: 'c:v1', data: {}, eventId: 'new-1' },
      { eventType: 'a:v1', data: {}, eventId: 'order-1' },
    ]);
    const refused = await cli([...storage, 'append', 's', '--file', '-', '--json'], { input: mixed });
    expect(refused.code).toBe(1);
    expect(refused.json[0]).toMatchObject({ error: { code: 'duplicate_event', details: { eventId: 'order-1' } } });
  });

  describe('through a TCP node', () => {
    let node: NodeProcess;
    beforeAll(async () => {
      node = await startNodeProcess(['--storage', `sqlite:${join(dir, 'node.db')}`]);
    });
    afterAll(async () => node?.stop());

    it('--timeout 1 append of 10,000 events says the outcome is unknown; the same command again stores nothing twice', async () => {
      const file = join(dir, '10k.ndjson');
      writeFileSync(
        file,
        Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ eventType: 'bulk:v1', data: { i } })).join('\n'),
      );
      const stream = `bulk-${uniq()}`;
      const conn = ['--connect', node.address, '--cookie', COOKIE];
      const args = ['append', stream, '--file', file, '--idempotency-key', `import-${stream}`, '--json'];
      const timedOut = await cli([...conn, '--timeout', '1', ...args], { timeoutMs: 60_000 });
      expect(timedOut.code).toBe(3);
      expect(timedOut.json[0]).toMatchObject({ error: { code: 'timeout', details: { outcome: 'unknown' } } });
      expect(String((timedOut.json[0]!.error as { message: string }).message)).toMatch(
        /outcome is unknown.*send the same events again/,
      );
      const rerun = await cli([...conn, ...args], { timeoutMs: 60_000 });
      expect(rerun.code).toBe(0);
      expect(rerun.json[0]).toMatchObject({ version: 9999, count: 10_000 });
      const version = await cli([...conn, 'version', stream, '--json']);
      expect(version.json[0]).toMatchObject({ version: 9999 });
      // and once more: every id is stored, nothing is written
      const third = await cli([...conn, ...args], { timeoutMs: 60_000 });
      expect(third.json[0]).toMatchObject({ version: 9999, deduplicated: true });
    }, 120_000);
  });
});
