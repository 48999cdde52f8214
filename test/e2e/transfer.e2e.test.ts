import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE, cli, ensureBuilt, startNodeProcess, uniq } from './helpers.js';

type Rec = Record<string, unknown>;
/** What must survive a round trip (created and position belong to the store that wrote them). */
const essence = (r: Rec) => [r.eventStreamId, r.eventNumber, r.eventId, r.eventType, r.data, r.metadata];
const ndjson = (file: string): Rec[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);

describe('export / import (built binary)', () => {
  let tmp: string;
  beforeAll(async () => {
    await ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-transfer-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('round trip through NDJSON on SQLite: ids kept, a second import writes nothing', async () => {
    const a = ['--storage', `sqlite:${join(tmp, 'a.db')}`];
    const b = ['--storage', `sqlite:${join(tmp, 'b.db')}`];
    const appends = await Promise.all([
      cli([...a, 'append', 'greenhouse1', '--generate', '3000', '--seed', 'g1', '--json'], { timeoutMs: 60_000 }),
    ]);
    const more = await cli([...a, 'append', 'greenhouse2', '--generate', '2000', '--seed', 'g2', '--json'], {
      timeoutMs: 60_000,
    });
    expect([...appends, more].map((r) => r.code)).toEqual([0, 0]);
    const file = join(tmp, 'all.ndjson');
    const exp = await cli([...a, 'export', '$all', '-o', file, '--json'], { timeoutMs: 60_000 });
    expect(exp.json).toEqual([{ store: 'reg_gh', source: '$all', format: 'ndjson', exported: 5000, file }]);
    const imp = await cli([...b, 'import', file, '--json'], { timeoutMs: 60_000 });
    expect(imp.json).toEqual([{ store: 'reg_gh', file, imported: 5000, skipped: 0, streams: 2 }]);
    const again = await cli([...b, 'import', file, '--json'], { timeoutMs: 60_000 });
    expect(again.json).toEqual([{ store: 'reg_gh', file, imported: 0, skipped: 5000, streams: 2 }]);
    const back = join(tmp, 'back.ndjson');
    await cli([...b, 'export', '$all', '-o', back], { timeoutMs: 60_000 });
    const [orig, copy] = [ndjson(file), ndjson(back)];
    expect(copy).toHaveLength(5000);
    expect(copy.map(essence)).toEqual(orig.map(essence));
  }, 90_000);

  it('CSV export of a version range, re-imported; bad lines and missing files fail clearly', async () => {
    const db = ['--storage', `sqlite:${join(tmp, 'c.db')}`];
    await cli([...db, 'append', 'orders', '--generate', '20', '--seed', 'o']);
    const csv = await cli([...db, 'export', 'orders', '--from', '5', '--to', '7', '--format', 'csv']);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'position,eventStreamId,eventNumber,eventId,eventType,created,createdEpoch,dataContentType,metadataContentType,data,metadata',
    );
    expect(lines.slice(1).map((l) => l.split(',').slice(1, 3))).toEqual([
      ['orders', '5'],
      ['orders', '6'],
      ['orders', '7'],
    ]);
    expect(csv.stderr).toContain('(exported 3 events from orders)');
    const file = join(tmp, 'orders.csv');
    writeFileSync(file, csv.stdout);
    const other = ['--storage', `sqlite:${join(tmp, 'd.db')}`];
    const imp = await cli([...other, 'import', file, '--json']);
    expect(imp.json).toEqual([{ store: 'reg_gh', file, imported: 3, skipped: 0, streams: 1 }]);
    const read = await cli([...other, 'read', 'orders', '--json']);
    const src = await cli([...db, 'read', 'orders', '--from', '5', '-n', '3', '--json']);
    expect(read.json.map((e) => [e.eventId, e.data, e.metadata])).toEqual(
      src.json.map((e) => [e.eventId, e.data, e.metadata]),
    );
    const bad = join(tmp, 'bad.ndjson');
    writeFileSync(bad, '{"eventStreamId":"x","eventId":"1","eventType":"t:v1","data":{}}\nnot json\n');
    const [badLine, missing, badFormat] = await Promise.all([
      cli([...other, 'import', bad, '--json']),
      cli([...other, 'import', join(tmp, 'nope.ndjson')]),
      cli([...other, 'export', 'orders', '--format', 'xml']),
    ]);
    expect(badLine.code).toBe(1);
    expect(badLine.json[0]).toMatchObject({
      error: { code: 'invalid_argument', message: expect.stringMatching(/^line 2: /) },
    });
    expect(missing.code).toBe(2);
    expect(badFormat.code).toBe(2);
  });

  it('against a node on loopback: export a stream and import it into another store', async () => {
    const node = await startNodeProcess(['--stores', 'reg_gh,copy']);
    try {
      const at = ['--connect', node.address, '--cookie', COOKIE];
      const s = `s-${uniq()}`;
      await cli([...at, 'append', s, '--generate', '1200', '--seed', 'n']);
      const file = join(tmp, 'node.ndjson');
      const exp = await cli([...at, 'export', s, '-o', file, '--json']);
      expect(exp.json[0]).toMatchObject({ exported: 1200 });
      const imp = await cli([...at, '--store', 'copy', 'import', file, '--json']);
      expect(imp.json[0]).toMatchObject({ store: 'copy', imported: 1200, skipped: 0 });
      const v = await cli([...at, '--store', 'copy', 'version', s, '--json']);
      expect(v.json[0]).toMatchObject({ version: 1199 });
    } finally {
      await node.stop();
    }
  });
});
