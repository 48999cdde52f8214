import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './helpers.js';

// Issue 10 item 9: what a script reads on stdout is data, never a human note; a failed delete says so; null stays null.
describe('output honesty (built binary, embedded)', () => {
  let tmp: string;
  beforeAll(async () => {
    await ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-honest-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('empty streams / subscriptions / snapshot list: nothing on stdout, the note on stderr, exit 0', async () => {
    const runs = await Promise.all([
      cli(['streams']),
      cli(['subscriptions']),
      cli(['subscriptions', '--name', 'audit']),
      cli(['snapshot', 'list']),
    ]);
    for (const r of runs) {
      expect(r.code, r.args.join(' ')).toBe(0);
      expect(r.stdout, r.args.join(' ')).toBe('');
    }
    expect(runs[0]!.stderr).toContain('(no streams in reg_gh)');
    expect(runs[1]!.stderr).toContain('No active subscriptions');
    expect(runs[2]!.stderr).toContain('No subscription named audit');
    expect(runs[3]!.stderr).toContain('(no snapshots)');
  });

  it('a non-empty listing is still on stdout, one stream per line', async () => {
    const db = `sqlite:${join(tmp, 'streams.db')}`;
    await cli(['--storage', db, 'append', 'alpha', '--type', 't:v1']);
    await cli(['--storage', db, 'append', 'beta', '--type', 't:v1']);
    const r = await cli(['--storage', db, 'streams']);
    expect(r.stdout.trim().split('\n').sort()).toEqual(['alpha', 'beta']);
  });

  it('snapshot delete of a missing snapshot exits 1 not_found (human and --json); an existing one is deleted once', async () => {
    const db = `sqlite:${join(tmp, 'snap.db')}`;
    const missing = await cli(['--storage', db, 'snapshot', 'delete', 'agg', 's1', '3']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/no snapshot for source "agg", stream "s1" at version 3; nothing deleted/);
    const missingJson = await cli(['--storage', db, 'snapshot', 'delete', 'agg', 's1', '3', '--json']);
    expect(missingJson.code).toBe(1);
    expect(missingJson.json).toEqual([
      expect.objectContaining({
        error: expect.objectContaining({
          code: 'not_found',
          details: { sourceUuid: 'agg', streamUuid: 's1', version: 3 },
        }),
      }),
    ]);
    expect((await cli(['--storage', db, 'snapshot', 'record', 'agg', 's1', '3', '--data', '{"n":1}'])).code).toBe(0);
    const first = await cli(['--storage', db, 'snapshot', 'delete', 'agg', 's1', '3', '--json']);
    expect(first.code).toBe(0);
    expect(first.json[0]).toMatchObject({ deleted: true });
    const second = await cli(['--storage', db, 'snapshot', 'delete', 'agg', 's1', '3', '--json']);
    expect(second.code).toBe(1);
    expect(second.json[0]).toMatchObject({ error: { code: 'not_found' } });
  });

  it('--data null is stored as null (flag and event file), a missing --data as {}; snapshot --data null too', async () => {
    const db = `sqlite:${join(tmp, 'null.db')}`;
    expect((await cli(['--storage', db, 'append', 's', '--type', 'nothing:v1', '--data', 'null'])).code).toBe(0);
    expect((await cli(['--storage', db, 'append', 's', '--type', 'empty:v1'])).code).toBe(0);
    const file = await cli(['--storage', db, 'append', 's', '--file', '-'], {
      input: '{"eventType":"file-null:v1","data":null}\n',
    });
    expect(file.code).toBe(0);
    const read = await cli(['--storage', db, 'read', 's', '--count', '10', '--json']);
    expect(read.json.map((e) => [e.eventType, e.data])).toEqual([
      ['nothing:v1', null],
      ['empty:v1', {}],
      ['file-null:v1', null],
    ]);
    expect((await cli(['--storage', db, 'snapshot', 'record', 'a', 'b', '1', '--data', 'null'])).code).toBe(0);
    const snap = await cli(['--storage', db, 'snapshot', 'read', 'a', 'b', '1', '--json']);
    expect(snap.json[0]).toMatchObject({ record: null });
  });
});
