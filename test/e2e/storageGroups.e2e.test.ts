import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGaterError } from '../../src/core/errors.js';
import { startGater, type Gater } from '../../src/gateway/index.js';
import { cli, COOKIE, ensureBuilt, startNodeProcess, uniq, type NodeProcess } from './helpers.js';

interface StoreStatus {
  store: string;
  split: boolean;
  groups: { kind: string; id: string; nodes: string[]; active: boolean }[];
}
const storesOf = (json: Record<string, unknown>) => json.stores as StoreStatus[];
const regGh = (json: Record<string, unknown>) => storesOf(json).find((s) => s.store === 'reg_gh')!;

/** The stream's version as one node alone sees it (a gateway linked to that node only). */
async function versionOn(node: NodeProcess, stream: string): Promise<number> {
  const r = await cli(['--connect', node.address, '--cookie', COOKIE, 'version', stream, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return r.json[0]!.version as number;
}

// Issue 10 item 1 / DESIGN §8: nodes with separate storages must not split a store behind one gateway.
describe('storage identity: three memory nodes behind one gateway', () => {
  let nodes: NodeProcess[] = [];
  let gater: Gater | undefined;
  const logs: string[] = [];
  let seeds = '';

  beforeAll(async () => {
    await ensureBuilt();
    nodes = await Promise.all([1, 2, 3].map(() => startNodeProcess()));
    seeds = nodes.map((n) => n.address).join(',');
  });
  afterAll(async () => {
    await gater?.stop();
    for (const n of nodes) n.child.kill('SIGKILL');
  });

  it('status --json lists the three memory groups, one active; the split is warned once', async () => {
    const r = await cli(['--connect', seeds, '--cookie', COOKIE, 'status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const st = regGh(r.json[0]!);
    expect(st.split).toBe(true);
    expect(st.groups).toHaveLength(3);
    expect(st.groups.filter((g) => g.active)).toHaveLength(1);
    expect(st.groups.every((g) => g.kind === 'memory' && g.nodes.length === 1)).toBe(true);
    expect(st.groups.flatMap((g) => g.nodes).sort()).toEqual(nodes.map((n) => n.name).sort());
    expect(new Set(st.groups.map((g) => g.id)).size).toBe(3);
    expect(r.stderr.match(/store reg_gh is split over 3 storages: reads would differ/g)).toHaveLength(1);
    const human = await cli(['--connect', seeds, '--cookie', COOKIE, 'status']);
    expect(human.stdout).toMatch(/Storage of reg_gh \(⚠️ {2}split over 3 storages: reads would differ\)/);
    expect(human.stdout.match(/memory mem-[0-9a-f]+ \(active\)/g)).toHaveLength(1);
  });

  it('one gateway: 100 appends land on one node, 20 reads agree, no_stream twice succeeds once; CLI gateways choose alike', async () => {
    gater = await startGater({
      connect: seeds.split(','),
      cookie: COOKIE,
      log: (level, msg) => logs.push(`${level} ${msg}`),
      noWorkersWaitMs: 3000,
    });
    const stream = `one-${uniq()}`;
    for (let i = 0; i < 100; i++) await gater.api.appendEvents('reg_gh', stream, [{ eventType: 'n:v1', data: { i } }]);
    const reads = await Promise.all(Array.from({ length: 20 }, () => gater!.api.getEvents('reg_gh', stream, 0, 1000)));
    for (const r of reads) expect(r.map((e) => e.eventId)).toEqual(reads[0]!.map((e) => e.eventId));
    expect(reads[0]).toHaveLength(100);

    const once = `once-${uniq()}`;
    const both = await Promise.allSettled([
      gater.api.appendEvents('reg_gh', once, [{ eventType: 'first:v1', data: {} }], 'no_stream'),
      gater.api.appendEvents('reg_gh', once, [{ eventType: 'first:v1', data: {} }], 'no_stream'),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(isGaterError(refused.reason, 'wrong_expected_version')).toBe(true);
    const third = await gater.api
      .appendEvents('reg_gh', once, [{ eventType: 'again:v1', data: {} }], 'no_stream')
      .catch((e: unknown) => e);
    expect(isGaterError(third, 'wrong_expected_version')).toBe(true);

    // separate one-shot gateways (the CLI) route to the same group as this one
    const viaCli = `cli-${uniq()}`;
    for (let i = 0; i < 3; i++) {
      const a = await cli(['--connect', seeds, '--cookie', COOKIE, 'append', viaCli, '--type', 'c:v1', '--json']);
      expect(a.json[0]).toMatchObject({ version: i });
    }

    const active = gater.registry.groups('reg_gh').find((g) => g.active)!;
    expect(active.nodes).toHaveLength(1);
    const where = await Promise.all(
      nodes.map(async (n) => [n.name, await versionOn(n, stream), await versionOn(n, viaCli)] as const),
    );
    for (const [name, v, c] of where) {
      expect([name, v, c]).toEqual(name === active.nodes[0] ? [name, 99, 2] : [name, -1, -1]);
    }
    expect(logs.filter((l) => /store reg_gh is split over 3 storages: reads would differ/.test(l))).toHaveLength(1);
  });

  it('killing the active group node switches to another storage, logged as a storage switch', async () => {
    const g = gater!;
    const before = g.registry.groups('reg_gh').find((x) => x.active)!;
    const victim = nodes.find((n) => n.name === before.nodes[0])!;
    victim.child.kill('SIGKILL');
    const stream = `after-${uniq()}`;
    // appends go on (now to another storage: a fresh stream there starts at 0)
    expect(await g.api.appendEvents('reg_gh', stream, [{ eventType: 'x:v1', data: {} }], 'no_stream')).toBe(0);
    const after = g.registry.groups('reg_gh').find((x) => x.active)!;
    expect(after.id).not.toBe(before.id);
    expect(g.registry.groups('reg_gh')).toHaveLength(2);
    const switches = logs.filter((l) => l.includes('storage switch for store reg_gh'));
    expect(switches).toHaveLength(1);
    expect(switches[0]).toContain(`memory:${before.id}`);
    expect(switches[0]).toContain(`memory:${after.id}`);
    // sticky: more calls stay on the new group, no further switch
    for (let i = 0; i < 10; i++) await g.api.appendEvents('reg_gh', stream, [{ eventType: 'y:v1', data: { i } }]);
    expect(await g.api.getVersion('reg_gh', stream)).toBe(10);
    expect(logs.filter((l) => l.includes('storage switch'))).toHaveLength(1);
  });
});

describe('storage identity: three nodes sharing one SQLite file', () => {
  let nodes: NodeProcess[] = [];
  let tmp = '';
  beforeAll(async () => {
    await ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-groups-'));
    const storage = `sqlite:${join(tmp, 'shared.db')}`;
    nodes = await Promise.all([1, 2, 3].map(() => startNodeProcess(['--storage', storage])));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('are one consistency group: no split warning, every node in it', async () => {
    const seeds = nodes.map((n) => n.address).join(',');
    const r = await cli(['--connect', seeds, '--cookie', COOKIE, 'status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const st = regGh(r.json[0]!);
    expect(st.split).toBe(false);
    expect(st.groups).toEqual([
      {
        kind: 'sqlite',
        id: expect.stringMatching(/^sqlite-[0-9a-f]{16}$/),
        nodes: nodes.map((n) => n.name).sort(),
        active: true,
      },
    ]);
    expect(r.stderr).not.toMatch(/split/);
  });
});
