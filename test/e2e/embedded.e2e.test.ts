import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, repoRoot } from './helpers.js';

const fixture = (name: string) => join(repoRoot, 'test/e2e/fixtures', name);
const COMMANDS = [
  'status',
  'streams',
  'version',
  'read',
  'append',
  'observe',
  'subscribe',
  'subscriptions',
  'produce',
  'snapshot',
  'scenario',
  'node',
  'interactive',
  'completion',
  'bench',
];

describe('scripted mode, embedded (the built binary as a child process)', () => {
  let tmp: string;
  beforeAll(async () => {
    await ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-e2e-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('no command and no TTY: help on stderr, nothing on stdout, exit 2', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: ex-esdb-console');
    expect(r.stderr).toMatch(/No command given/);
    const explicit = await cli(['interactive']);
    expect(explicit.code).toBe(2);
    expect(explicit.stderr).toMatch(/needs a terminal/);
  });

  it('--help on the program and every command exits 0 and shows examples', async () => {
    const runs = await Promise.all([
      cli(['--help']),
      ...COMMANDS.map((c) => cli([c, '--help'])),
      cli(['snapshot', 'record', '--help']),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
    }
    const top = runs[0]!.stdout;
    for (const c of COMMANDS) expect(top).toContain(c);
    expect(top).toMatch(/--json/);
    expect(top).toMatch(/Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 cluster unavailable/);
  });

  it('usage errors exit 2: unknown flag, unknown command, bad numbers, bad patterns, conflicting selectors', async () => {
    const runs = await Promise.all([
      cli(['append', 's', '--bogus']),
      cli(['frobnicate']),
      cli(['read', 's', '--count', 'x']),
      cli(['read']),
      cli(['append', 's', '--type', 'a:v1', '--expected-version', 'soon']),
      cli(['append', 's', '--type', 'a:v1', '--data', '{not json']),
      cli(['append', 's', '--type', 'a:v1', '--generate', '3']),
      cli(['observe', '--payload', '%{operator: John}']),
      cli(['observe', '--stream', 's', '--type', 't']),
      cli(['observe', '--duration', 'soon']),
      cli(['subscribe', '--stream', 's']),
      cli(['produce', '--producers', '0']),
      cli(['--timeout', '-5', 'status']),
      cli(['append', 's', '--file', join(tmp, 'missing.json')]),
      cli(['append', 's'], { input: 'not json at all' }),
      cli(['--storage', 'bogus:thing', 'status']),
    ]);
    for (const r of runs) {
      expect({ args: r.args, code: r.code, stderr: r.stderr }).toMatchObject({ code: 2 });
      expect(r.stderr.length).toBeGreaterThan(0);
    }
    expect(runs[7]!.stderr).toMatch(/--payload: .*quote strings/);
    expect(runs[8]!.stderr).toMatch(/choose one selector/);
    expect(runs[15]!.stderr).toMatch(/--storage .*memory, sqlite:<file> or postgres/);
  });

  it('status, streams, version, subscriptions and snapshot list print one JSON object each', async () => {
    const [status, streams, version, subs, snaps] = await Promise.all([
      cli(['status', '--json']),
      cli(['streams', '--json']),
      cli(['version', 'greenhouse1', '--json']),
      cli(['subscriptions', '--json']),
      cli(['snapshot', 'list', '--json']),
    ]);
    for (const r of [status, streams, version, subs, snaps]) {
      expect(r.code).toBe(0);
      expect(r.json).toHaveLength(1);
    }
    expect(status.json[0]).toMatchObject({ mode: 'embedded', store: 'reg_gh', storage: 'memory', workers: 1 });
    expect(streams.json[0]).toEqual({ store: 'reg_gh', streams: [] });
    expect(version.json[0]).toEqual({ store: 'reg_gh', stream: 'greenhouse1', version: -1 });
    expect(subs.json[0]).toEqual({ store: 'reg_gh', subscriptions: [] });
    expect(snaps.json[0]).toEqual({ store: 'reg_gh', snapshots: [] });
  });

  it('append from flags, --generate, --file and stdin reports {store, stream, version, count}; --store and EX_ESDB_STORE pick the store', async () => {
    const [one, gen, file, ndjson, store, envStore] = await Promise.all([
      cli([
        'append',
        'g1',
        '--type',
        'temperature_measured:v1',
        '--data',
        '{"temperature":21}',
        '--metadata',
        '{"by":"e2e"}',
        '--json',
      ]),
      cli(['append', 'g1', '--generate', '10', '--seed', '7', '--json']),
      cli(['append', 'g1', '--file', fixture('events.json'), '--expected-version', 'no_stream', '--json']),
      cli(['append', 'g1', '--json'], { input: '{"eventType":"a:v1","data":{"n":1}}\n\n{"eventType":"b:v1"}\n' }),
      cli(['--store', 'other', 'append', 'g1', '--generate', '1', '--json']),
      cli(['append', 'g1', '--generate', '2', '--json'], { env: { EX_ESDB_STORE: 'from_env' } }),
    ]);
    expect(one.json).toEqual([{ store: 'reg_gh', stream: 'g1', version: 0, count: 1 }]);
    expect(gen.json).toEqual([{ store: 'reg_gh', stream: 'g1', version: 9, count: 10 }]);
    expect(file.json).toEqual([{ store: 'reg_gh', stream: 'g1', version: 2, count: 3 }]);
    expect(ndjson.json).toEqual([{ store: 'reg_gh', stream: 'g1', version: 1, count: 2 }]);
    expect(store.json).toEqual([{ store: 'other', stream: 'g1', version: 0, count: 1 }]);
    expect(envStore.json).toEqual([{ store: 'from_env', stream: 'g1', version: 1, count: 2 }]);
    for (const r of [one, gen, file, ndjson, store, envStore]) expect(r.code).toBe(0);
    // Human mode: the reference's APPENDED line on stdout.
    const human = await cli(['append', 'g1', '--generate', '2']);
    expect(human.stdout.trim()).toBe('APPENDED ["2 event(s) to :reg_gh:g1.v(1)"]');
  });

  it('a wrong expected version exits 1 with {"error":{"code":"wrong_expected_version"}}', async () => {
    const r = await cli(['append', 'g1', '--type', 'a:v1', '--expected-version', '3', '--json']);
    expect(r.code).toBe(1);
    expect(r.json).toEqual([
      {
        error: {
          code: 'wrong_expected_version',
          message: expect.stringContaining('version -1'),
          details: expect.objectContaining({ expected: 3, current: -1 }),
        },
      },
    ]);
    expect(r.stderr).toMatch(/^❌ /);
  });

  it('durable embedded storage: append in one process, read, version and streams in the next', async () => {
    const db = `sqlite:${join(tmp, 'store.db')}`;
    const a = await cli(['--storage', db, 'append', 'persisted', '--generate', '5', '--seed', 'x', '--json']);
    expect(a.json).toEqual([{ store: 'reg_gh', stream: 'persisted', version: 4, count: 5 }]);
    const [fwd, back, version, streams, human] = await Promise.all([
      cli(['--storage', db, 'read', 'persisted', '--from', '1', '--count', '3', '--json']),
      cli(['--storage', db, 'read', 'persisted', '--backward', '--count', '2', '--json']),
      cli(['--storage', db, 'version', 'persisted', '--json']),
      cli(['--storage', db, 'streams', '--json']),
      cli(['--storage', db, 'read', 'persisted', '--count', '1']),
    ]);
    expect(fwd.json.map((e) => e.eventNumber)).toEqual([1, 2, 3]);
    expect(fwd.json[0]).toMatchObject({ eventStreamId: 'persisted', eventType: expect.any(String), position: 1 });
    expect(back.json.map((e) => e.eventNumber)).toEqual([4, 3]);
    expect(version.json).toEqual([{ store: 'reg_gh', stream: 'persisted', version: 4 }]);
    expect(streams.json).toEqual([{ store: 'reg_gh', streams: ['persisted'] }]);
    expect(human.stdout).toMatch(
      /^Version +Position +Created +Type +Data\n0 +0 +\S+ +initialized:v1 +\{"temperature":\d+,"humidity":\d+,"light":\d+\}\n$/,
    );
    expect(human.stderr).toContain('(1 event from persisted)');
    // The same seed on the same stream state gives the same events (ids included).
    const again = await cli([
      '--storage',
      `sqlite:${join(tmp, 'other.db')}`,
      'append',
      'persisted',
      '--generate',
      '5',
      '--seed',
      'x',
      '--json',
    ]);
    expect(again.json[0]).toMatchObject({ version: 4 });
  });

  it('snapshot record / read / list / delete round trip; reading a missing snapshot exits 1 not_found', async () => {
    const db = `sqlite:${join(tmp, 'snap.db')}`;
    const rec = await cli([
      '--storage',
      db,
      'snapshot',
      'record',
      'order-agg',
      'order-42',
      '7',
      '--data',
      '{"total":99}',
      '--json',
    ]);
    expect(rec.json).toEqual([
      { store: 'reg_gh', sourceUuid: 'order-agg', streamUuid: 'order-42', version: 7, recorded: true },
    ]);
    const [read, list, missing] = await Promise.all([
      cli(['--storage', db, 'snapshot', 'read', 'order-agg', 'order-42', '7', '--json']),
      cli(['--storage', db, 'snapshot', 'list', '--source', 'order-agg', '--json']),
      cli(['--storage', db, 'snapshot', 'read', 'order-agg', 'order-42', '8', '--json']),
    ]);
    expect(read.json[0]).toMatchObject({
      store: 'reg_gh',
      sourceUuid: 'order-agg',
      streamUuid: 'order-42',
      version: 7,
      record: { total: 99 },
    });
    expect((list.json[0]!.snapshots as unknown[]).length).toBe(1);
    expect(missing.code).toBe(1);
    expect(missing.json[0]).toMatchObject({ error: { code: 'not_found' } });
    const del = await cli(['--storage', db, 'snapshot', 'delete', 'order-agg', 'order-42', '7', '--json']);
    expect(del.json[0]).toMatchObject({ deleted: true });
    const after = await cli(['--storage', db, 'snapshot', 'list', '--json']);
    expect(after.json[0]).toEqual({ store: 'reg_gh', snapshots: [] });
  });

  it('observe with nothing written: --duration alone exits 0 silently; with --count it exits 1 count_not_reached', async () => {
    const [quiet, short] = await Promise.all([
      cli(['observe', '--duration', '300', '--json']),
      cli(['observe', '--count', '2', '--duration', '300ms', '--json']),
    ]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('');
    expect(short.code).toBe(1);
    expect(short.json).toEqual([
      {
        error: {
          code: 'count_not_reached',
          message: expect.stringContaining('0 of 2'),
          details: { seen: 0, count: 2 },
        },
      },
    ]);
  });

  it('produce --events N writes exactly N events and prints a JSON summary; progress goes to stderr', async () => {
    const r = await cli(['produce', '--producers', '3', '--batch', '4', '--period', '0', '--events', '50', '--json'], {
      env: { LOG_LEVEL: 'info' },
    });
    expect(r.code).toBe(0);
    expect(r.json).toHaveLength(1);
    const s = r.json[0]!;
    expect(s).toMatchObject({ store: 'reg_gh', producers: 3, batch: 4, events: 50, errors: 0, stoppedBy: 'events' });
    const streams = s.streams as Record<string, { events: number; version: number }>;
    expect(Object.keys(streams)).toEqual(['greenhouse1', 'greenhouse2', 'greenhouse3']);
    expect(Object.values(streams).reduce((a, x) => a + x.events, 0)).toBe(50);
    for (const x of Object.values(streams)) expect(x.version).toBe(x.events - 1);
    expect(r.stderr).toMatch(/🏭 produced 50 events in [\d.]+ s \([\d.]+\/s\)/);
    const timed = await cli(['produce', '--producers', '1', '--period', '50', '--duration', '300', '--json']);
    expect(timed.json[0]).toMatchObject({ stoppedBy: 'duration', producers: 1 });
    expect(timed.json[0]!.events as number).toBeGreaterThanOrEqual(2);
  });

  it('every shipped scenario passes embedded, reporting each step', async () => {
    const [human, json, list] = await Promise.all([
      cli(['scenario', '--all']),
      cli(['scenario', '--all', '--json']),
      cli(['scenario', '--list', '--json']),
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout.match(/✅ PASS/g)).toHaveLength(5);
    expect(json.code).toBe(0);
    const summaries = json.json.filter((l) => 'passed' in l);
    expect(summaries.map((s) => [s.scenario, s.passed])).toEqual([
      ['Basic event flow', true],
      ['Event type filtering', true],
      ['Payload pattern', true],
      ['Subscription with acknowledgement', true],
      ['Concurrency race', true],
    ]);
    expect(json.json.filter((l) => 'status' in l).every((l) => l.status === 'pass')).toBe(true);
    expect(list.json.map((l) => l.name)).toEqual([
      'basic-event-flow',
      'event-type-filtering',
      'payload-pattern',
      'subscription-ack',
      'concurrency-race',
    ]);
    // Shipped scenarios answer to their name and number.
    const [byName, byNumber] = await Promise.all([
      cli(['scenario', 'payload-pattern', '--json']),
      cli(['scenario', '5', '--json']),
    ]);
    expect(byName.json.at(-1)).toMatchObject({ scenario: 'Payload pattern', passed: true });
    expect(byNumber.json.at(-1)).toMatchObject({ scenario: 'Concurrency race', passed: true });
  });

  it('a failing scenario exits 1 and its report names the failed expectation; an invalid file exits 2', async () => {
    const [human, json, invalid, unknown] = await Promise.all([
      cli(['scenario', fixture('failing-scenario.json')]),
      cli(['scenario', fixture('failing-scenario.json'), '--json', '--run-id', 'abc']),
      cli(['scenario', fixture('invalid-scenario.json')]),
      cli(['scenario', 'no-such-scenario']),
    ]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/✘ +4\. expect stream fail-\w+: version = 5/);
    expect(human.stdout).toMatch(/version = 5, got 1/);
    expect(human.stdout).toMatch(/❌ FAIL Deliberately failing: 1 step\(s\) failed/);
    expect(human.stdout).toMatch(/step 4: expect stream fail-\w+: version = 5 — version = 5, got 1/);
    expect(human.stdout).toMatch(/✔ +5\. expect observer "mine": count = 2/);
    expect(json.code).toBe(1);
    expect(json.json.at(-1)).toMatchObject({
      scenario: 'Deliberately failing',
      passed: false,
      failed: [{ step: '4', description: 'expect stream fail-abc: version = 5', message: 'version = 5, got 1' }],
    });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/step 2 has "step": "teleport"/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/shipped: basic-event-flow/);
  });

  it('no node reachable exits 3: status, a command routed to a store, and a scenario', async () => {
    const dead = ['--connect', '127.0.0.1:1', '--cookie', 'x'];
    const [status, version, scenario] = await Promise.all([
      cli([...dead, 'status', '--wait', '300', '--json']),
      cli([...dead, 'version', 'g1', '--json']),
      cli([...dead, 'scenario', 'concurrency-race']),
    ]);
    expect(status.code).toBe(3);
    expect(status.json[0]).toMatchObject({ mode: 'cluster', workers: 0 });
    expect(version.code).toBe(3);
    expect(version.json).toEqual([
      { error: { code: 'no_workers', message: expect.stringContaining('reg_gh'), details: { store: 'reg_gh' } } },
    ]);
    expect(scenario.code).toBe(3);
    expect(scenario.stdout).toMatch(/stopped by no_workers/);
  });
});
