import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, COOKIE, ensureBuilt, startNodeProcess, uniq, type NodeProcess } from './helpers.js';

describe('scripted mode against a store node on loopback (built binary, child processes)', () => {
  let node: NodeProcess;
  let at: string[];
  beforeAll(async () => {
    await ensureBuilt();
    node = await startNodeProcess();
    at = ['--connect', node.address, '--cookie', COOKIE];
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('status finds the node and its worker', async () => {
    const r = await cli([...at, 'status', '--json']);
    expect(r.code).toBe(0);
    expect(r.json[0]).toMatchObject({
      mode: 'cluster',
      store: 'reg_gh',
      workers: 1,
      nodes: [{ name: node.name, state: 'alive', address: node.address, stores: ['reg_gh'] }],
    });
  });

  it('append, version, read and streams see the same stream across processes; a stale expected version exits 1', async () => {
    const s = `e2e-${uniq()}`;
    const a = await cli([
      ...at,
      'append',
      s,
      '--generate',
      '4',
      '--seed',
      's',
      '--expected-version',
      'no_stream',
      '--json',
    ]);
    expect(a).toMatchObject({ code: 0, json: [{ store: 'reg_gh', stream: s, version: 3, count: 4 }] });
    const [version, read, back, streams, stale] = await Promise.all([
      cli([...at, 'version', s, '--json']),
      cli([...at, 'read', s, '--json']),
      cli([...at, 'read', s, '--backward', '--from', '2', '--count', '2', '--json']),
      cli([...at, 'streams', '--json']),
      cli([...at, 'append', s, '--type', 'late:v1', '--expected-version', '1', '--json']),
    ]);
    expect(version.json).toEqual([{ store: 'reg_gh', stream: s, version: 3 }]);
    expect(read.json.map((e) => [e.eventStreamId, e.eventNumber])).toEqual([0, 1, 2, 3].map((n) => [s, n]));
    expect(read.json[0]).toMatchObject({ eventType: 'initialized:v1', dataContentType: 1 });
    expect(back.json.map((e) => e.eventNumber)).toEqual([2, 1]);
    expect((streams.json[0]!.streams as string[]).includes(s)).toBe(true);
    expect(stale.code).toBe(1);
    expect(stale.json[0]).toMatchObject({
      error: { code: 'wrong_expected_version', details: { expected: 1, current: 3 } },
    });
    const exists = await cli([
      ...at,
      'append',
      s,
      '--type',
      'next:v1',
      '--data',
      '{"ok":true}',
      '--expected-version',
      'stream_exists',
      '--json',
    ]);
    expect(exists.json).toEqual([{ store: 'reg_gh', stream: s, version: 4, count: 1 }]);
  });

  it('observe: by stream, by event type and by payload pattern, as NDJSON, exiting after --count', async () => {
    const run = uniq();
    const s = `obs-${run}`;
    const type = `only_this_${run}:v1`;
    const observers = Promise.all([
      cli([...at, 'observe', '--stream', s, '--from', '0', '--count', '3', '--duration', '10s', '--json']),
      cli([...at, 'observe', '--type', type, '--from', '0', '--count', '2', '--duration', '10s', '--json']),
      cli([
        ...at,
        'observe',
        '--payload',
        `%{operator: "John", run: "${run}"}`,
        '--from',
        '0',
        '--count',
        '2',
        '--duration',
        '10s',
        '--json',
      ]),
      cli([...at, 'observe', '--stream', s, '--from', '0', '--count', '3', '--duration', '10s']),
    ]);
    const events = [
      { eventType: type, data: { operator: 'John', run } },
      { eventType: 'desired_light_set:v1', data: { operator: 'Paul', run, light: 5 } },
      { eventType: type, data: { operator: 'John', run, n: 2 } },
    ];
    const a = await cli([...at, 'append', s, '--json'], { input: JSON.stringify(events) });
    expect(a.json[0]).toMatchObject({ version: 2, count: 3 });
    const [byStream, byType, byPayload, human] = await observers;
    for (const r of [byStream, byType, byPayload, human]) expect(r.code).toBe(0);
    expect(byStream.json.map((e) => e.eventNumber)).toEqual([0, 1, 2]);
    expect(byType.json.map((e) => [e.eventType, e.eventNumber])).toEqual([
      [type, 0],
      [type, 2],
    ]);
    expect(byPayload.json.map((e) => (e.data as { operator: string }).operator)).toEqual(['John', 'John']);
    expect(human.stdout.split('\n').filter(Boolean)).toEqual([
      `SEEN ["${s}:${type} (v0) => {"operator":"John","run":"${run}"}"]`,
      `SEEN ["${s}:desired_light_set:v1 (v1) => {"operator":"Paul","run":"${run}","light":5}"]`,
      `SEEN ["${s}:${type} (v2) => {"operator":"John","run":"${run}","n":2}"]`,
    ]);
  });

  it('subscribe --ack receives, acks and advances the checkpoint; without --ack the checkpoint stays', async () => {
    const s = `sub-${uniq()}`;
    const name = `audit-${uniq()}`;
    await cli([...at, 'append', s, '--generate', '5', '--json']);
    const [acked, unacked] = await Promise.all([
      cli([...at, 'subscribe', '--name', name, '--stream', s, '--ack', '--count', '3', '--duration', '10s', '--json']),
      cli([...at, 'subscribe', '--name', `${name}-noack`, '--stream', s, '--count', '2', '--duration', '10s']),
    ]);
    expect(acked.code).toBe(0);
    expect(acked.json.map((e) => e.eventNumber)).toEqual([0, 1, 2]);
    expect(unacked.code).toBe(0);
    expect(unacked.stdout.split('\n')[0]).toMatch(
      new RegExp(`^RECEIVED \\["${name}-noack" "${s}:initialized:v1 v\\(0\\) => \\{`),
    );
    const subs = await cli([...at, 'subscriptions', '--json']);
    const list = subs.json[0]!.subscriptions as {
      name: string;
      checkpoint: number;
      persistent: boolean;
      lag: number;
    }[];
    expect(list.find((x) => x.name === name)).toMatchObject({ persistent: true, checkpoint: 3, lag: 2 });
    expect(list.find((x) => x.name === `${name}-noack`)).toMatchObject({ persistent: true, checkpoint: 0 });
    // A second run resumes at the checkpoint: the next two events, then nothing more.
    const resumed = await cli([
      ...at,
      'subscribe',
      '--name',
      name,
      '--stream',
      s,
      '--ack',
      '--count',
      '2',
      '--duration',
      '10s',
      '--json',
    ]);
    expect(resumed.json.map((e) => e.eventNumber)).toEqual([3, 4]);
    const filtered = await cli([...at, 'subscriptions', '--name', name, '--json']);
    expect(filtered.json[0]!.subscriptions).toEqual([expect.objectContaining({ name, checkpoint: 5, lag: 0 })]);
  });

  it('produce writes exactly --events to its streams and reports them', async () => {
    const prefix = `prod-${uniq()}-`;
    const r = await cli([
      ...at,
      'produce',
      '--producers',
      '2',
      '--batch',
      '3',
      '--period',
      '5',
      '--events',
      '20',
      '--prefix',
      prefix,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.json[0]).toMatchObject({ events: 20, producers: 2, errors: 0 });
    const [v1, v2] = await Promise.all([
      cli([...at, 'version', `${prefix}1`, '--json']),
      cli([...at, 'version', `${prefix}2`, '--json']),
    ]);
    expect((v1.json[0]!.version as number) + (v2.json[0]!.version as number) + 2).toBe(20);
  });

  it('snapshots round-trip through the node', async () => {
    const src = `agg-${uniq()}`;
    await cli([...at, 'snapshot', 'record', src, 'stream-1', '3', '--data', '{"n":3}', '--json']);
    const [read, list] = await Promise.all([
      cli([...at, 'snapshot', 'read', src, 'stream-1', '3', '--json']),
      cli([...at, 'snapshot', 'list', '--source', src, '--json']),
    ]);
    expect(read.json[0]).toMatchObject({ sourceUuid: src, streamUuid: 'stream-1', version: 3, record: { n: 3 } });
    expect(list.json[0]!.snapshots).toHaveLength(1);
  });

  it('every shipped scenario passes against the node', async () => {
    const r = await cli([...at, 'scenario', '--all', '--json'], { timeoutMs: 30_000 });
    const summaries = r.json.filter((l) => 'passed' in l);
    expect(summaries.map((s) => [s.scenario, s.passed, s.failed])).toEqual([
      ['Basic event flow', true, []],
      ['Event type filtering', true, []],
      ['Payload pattern', true, []],
      ['Subscription with acknowledgement', true, []],
      ['Concurrency race', true, []],
    ]);
    expect(r.code).toBe(0);
  });

  it('a wrong cookie is refused: exit 3 (unauthorized), with the refusal in status', async () => {
    const r = await cli([
      '--connect',
      node.address,
      '--cookie',
      'not_the_cookie',
      'status',
      '--wait',
      '1000',
      '--json',
    ]);
    expect(r.code).toBe(3);
    expect(r.json[0]).toMatchObject({ workers: 0, unauthorized: [{ address: node.address }] });
    expect(JSON.stringify(r.json)).not.toContain('not_the_cookie');
  });
});

describe('scripted mode with gossip discovery on loopback, configured by environment (DESIGN §6)', () => {
  let node: NodeProcess;
  const env = {
    EX_ESDB_CLUSTER_SECRET: 'e2e_secret',
    EX_ESDB_COOKIE: 'e2e_cookie',
    EX_ESDB_CLUSTER_PORT: String(47000 + Math.floor(Math.random() * 2000)),
    EX_ESDB_CLUSTER_INTERFACE: '127.0.0.1',
    EX_ESDB_STORE: 'env_store',
    EX_ESDB_HEARTBEAT_MS: '200',
  };
  beforeAll(async () => {
    await ensureBuilt();
    node = await startNodeProcess([], env, true);
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('a secret in the environment turns on cluster mode: commands find the node by gossip and use EX_ESDB_STORE', async () => {
    const s = `gossip-${uniq()}`;
    const a = await cli(['append', s, '--generate', '3', '--json'], { env });
    expect(a).toMatchObject({ code: 0, json: [{ store: 'env_store', stream: s, version: 2, count: 3 }] });
    const [status, wrongSecret] = await Promise.all([
      cli(['status', '--wait', '1500', '--json'], { env }),
      cli(['status', '--wait', '1500', '--json', '--secret', 'not_it'], { env }),
    ]);
    expect(status.code).toBe(0);
    expect(status.json[0]).toMatchObject({
      mode: 'cluster',
      store: 'env_store',
      workers: 1,
      nodes: [expect.objectContaining({ name: node.name, state: 'alive' })],
    });
    expect(JSON.stringify(status.json)).not.toContain('e2e_secret');
    expect(wrongSecret.code).toBe(3);
    expect(Object.values(wrongSecret.json[0]!.badPackets as Record<string, number>).some((n) => n > 0)).toBe(true);
  });
});
