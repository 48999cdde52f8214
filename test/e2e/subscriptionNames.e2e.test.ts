import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './helpers.js';

interface Sub {
  name: string;
  selector: unknown;
  checkpoint: number;
  parked: number;
}
const subsOf = (r: { json: Record<string, unknown>[] }) => r.json[0]!.subscriptions as Sub[];

// Issue 10 item 8: a subscription name is unique per store; --max-retries means retries (N+1 deliveries).
describe('subscription names and retries (built binary, embedded sqlite)', () => {
  let tmp = '';
  beforeAll(async () => {
    await ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-subnames-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('the same selector resumes; another is refused with a clear error unless --replace', async () => {
    const db = `sqlite:${join(tmp, 'names.db')}`;
    const s = (...args: string[]) => cli(['--storage', db, 'subscribe', '--name', 'audit', ...args]);
    expect((await cli(['--storage', db, 'append', 'one', '--type', 'a:v1'])).code).toBe(0);
    expect((await cli(['--storage', db, 'append', 'two', '--type', 'b:v1'])).code).toBe(0);
    const first = await s('--stream', 'one', '--ack', '--count', '1', '--json');
    expect(first.code, first.stderr).toBe(0);

    const other = await s('--stream', 'two', '--count', '1', '--duration', '2s', '--json');
    expect(other.code).toBe(1);
    expect(other.json[0]).toMatchObject({
      error: {
        code: 'invalid_argument',
        details: { name: 'audit', existing: { type: 'by_stream', selector: '$one' } },
      },
    });
    expect(other.stderr).toMatch(
      /subscription "audit" already exists in store reg_gh for by_stream "\$one".*--replace/,
    );
    let subs = subsOf(await cli(['--storage', db, 'subscriptions', '--json']));
    expect(subs.map((x) => [x.name, x.selector, x.checkpoint])).toEqual([['audit', '$one', 1]]);

    // same selector: resumes at its checkpoint (nothing new to deliver within the duration)
    const again = await s('--stream', 'one', '--duration', '800ms', '--json');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');

    const replaced = await s('--stream', 'two', '--replace', '--ack', '--count', '1', '--json');
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.json.map((e) => e.eventStreamId)).toEqual(['two']);
    subs = subsOf(await cli(['--storage', db, 'subscriptions', '--json']));
    expect(subs.map((x) => [x.name, x.selector, x.checkpoint])).toEqual([['audit', '$two', 1]]);
  });

  it('--max-retries N: an unacked event is delivered N+1 times, then parked; 0 means one delivery', async () => {
    const db = `sqlite:${join(tmp, 'retries.db')}`;
    expect((await cli(['--storage', db, 'append', 'r', '--type', 'r:v1'])).code).toBe(0);
    const run = (name: string, retries: string) =>
      cli([
        '--storage',
        db,
        'subscribe',
        '--name',
        name,
        '--stream',
        'r',
        '--max-retries',
        retries,
        '--ack-timeout',
        '100',
        '--duration',
        '2500ms',
        '--json',
      ]);
    const [two, zero] = await Promise.all([run('twice', '2'), run('once', '0')]);
    expect(two.code, two.stderr).toBe(0);
    expect(zero.code, zero.stderr).toBe(0);
    expect(two.json).toHaveLength(3);
    expect(zero.json).toHaveLength(1);
    const subs = subsOf(await cli(['--storage', db, 'subscriptions', '--json']));
    expect(subs.map((x) => [x.name, x.parked]).sort()).toEqual([
      ['once', 1],
      ['twice', 1],
    ]);
    const help = await cli(['subscribe', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(
      /--max-retries <n> redeliveries of an unacked event before it is parked \(default 10\): N means at most N\+1 deliveries/,
    );
  });
});
