import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, COOKIE, ensureBuilt, startNodeProcess, type CliResult, type NodeProcess } from './helpers.js';

/** What every bench run must print with --json, whatever it ran against. */
function expectBenchJson(r: CliResult, events: number, node: string | RegExp): void {
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.trim().split('\n')).toHaveLength(r.json.length); // nothing but JSON lines on stdout
  expect(r.json.map((o) => [o.type, o.op])).toEqual([
    ['op', 'append'],
    ['op', 'read'],
    ['op', 'delivery'],
    ['node', 'append'],
    ['node', 'read'],
    ['run', undefined],
  ]);
  expect(r.json[0]).toMatchObject({ events, errors: {} });
  expect(r.json[3]!.node).toMatch(node);
  expect(r.json.at(-1)).toMatchObject({
    delivery: { expected: events, delivered: [events], duplicates: 0, outOfOrder: 0, missing: 0 },
    errors: {},
  });
}

describe('bench, the built binary against each deployment shape', () => {
  let tmp: string;
  let node: NodeProcess | undefined;
  beforeAll(async () => {
    await ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-bench-'));
  });
  afterAll(async () => {
    await node?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('embedded on SQLite: one JSON object per line, progress on stderr only', async () => {
    const r = await cli([
      '--storage',
      `sqlite:${join(tmp, 'b.db')}`,
      'bench',
      '--events',
      '60',
      '--batch',
      '3',
      '--subscribers',
      '1',
      '--json',
    ]);
    expectBenchJson(r, 60, /^embedded@/);
    expect(r.json.at(-1)).toMatchObject({ target: `embedded sqlite:${join(tmp, 'b.db')}`, batch: 3 });
  });

  it('over TCP (--connect): per-node figures name the node', async () => {
    node = await startNodeProcess();
    const r = await cli([
      '--connect',
      node.address,
      '--cookie',
      COOKIE,
      'bench',
      '--events',
      '40',
      '--subscribers',
      '1',
      '--json',
    ]);
    expectBenchJson(r, 40, node.name);
    expect(r.json.at(-1)).toMatchObject({ target: `tcp ${node.address}` });
    const human = await cli(['--connect', node.address, '--cookie', COOKIE, 'bench', '--events', '10', '--no-read']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^append +10 +10 /m);
    expect(human.stdout).toContain(node.name);
  });

  it('bad flags are usage errors (exit 2)', async () => {
    const r = await cli(['bench', '--batch', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--batch must be an integer >= 1/);
  });
});
