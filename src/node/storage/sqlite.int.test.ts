import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transpileForChild } from '../../../test/helpers/childModules.js';
import { isGaterError, type GaterError } from '../../core/errors.js';
import { createStorage, describeStorage, parseStorageSpec } from './index.js';
import { sqliteOpenError, SqliteStorage } from './sqlite.js';
import type { PreparedEvent } from './storageAdapter.js';

/**
 * Several processes on one SQLite file: the children are plain `node` processes running the real SqliteStorage
 * (transpiled), so the locking under test is SQLite's file locking, not the JS thread.
 */
const CHILD = `
import { SqliteStorage } from './src/node/storage/sqlite.js';
import Database from 'better-sqlite3';
const plan = JSON.parse(process.argv[1]);
const ev = (i, k) => ({ eventId: plan.who + '-' + i + '-' + k, eventType: 'race:v1', dataContentType: 1,
  metadataContentType: 1, data: { who: plan.who, i }, metadata: null });
const out = [];
if (plan.mode === 'hold') {
  const db = new Database(plan.file);
  db.exec('BEGIN IMMEDIATE');
  process.stdout.write('locked\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, plan.ms);
  db.exec('COMMIT');
  db.close();
  process.exit(0);
}
while (Date.now() < plan.startAt) await new Promise((r) => setTimeout(r, 1));
const s = await SqliteStorage.open(plan.file);
for (let i = 0; i < plan.count; i++) {
  if (plan.mode === 'race') out.push((await s.append('reg_gh', 'race-' + i, [ev(i, 0), ev(i, 1)], 0)).ok);
  else out.push((await s.append('reg_gh', plan.who + '-' + (i % 5), [ev(i, 0), ev(i, 1), ev(i, 2)], 'any')).ok);
}
await s.close();
process.stdout.write(JSON.stringify(out) + '\\n');
`;

interface Plan {
  mode: 'race' | 'burst' | 'hold';
  file: string;
  who?: string;
  count?: number;
  startAt?: number;
  ms?: number;
}

let child: { dir: string; dispose: () => void };
const dir = mkdtempSync(join(tmpdir(), 'ex-esdb-sqlite-int-'));
let fileNo = 0;
const freshFile = () => join(dir, `shared-${++fileNo}.db`);

/** Runs a child; resolves with its stdout lines. `onLine` sees them as they come. */
function runChild(plan: Plan, onLine?: (line: string) => void): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', CHILD, JSON.stringify(plan)], { cwd: child.dir });
    const lines: string[] = [];
    let buf = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        onLine?.(line);
      }
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(lines) : reject(new Error(`child exited with ${code}: ${err}`))));
  });
}

let seq = 0;
const ev = (who: string, data: unknown = { who }): PreparedEvent => ({
  eventId: `${who}-${++seq}`,
  eventType: 'race:v1',
  dataContentType: 1,
  metadataContentType: 1,
  data,
  metadata: null,
});
const waitUntil = async (cond: () => boolean | Promise<boolean>, ms = 3000) => {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

beforeAll(() => {
  child = transpileForChild(['src/node/storage/sqlite.ts', 'src/node/storage/index.ts']);
});
afterAll(() => {
  child?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStorage across processes', () => {
  it('concurrent appends at one expected version from two processes: exactly one wins each time', async () => {
    const file = freshFile();
    const rounds = 300;
    const parent = await SqliteStorage.open(file);
    for (let i = 0; i < rounds; i++) await parent.append('reg_gh', `race-${i}`, [ev('seed')], 'any');
    const startAt = Date.now() + 1500;
    const childRun = runChild({ mode: 'race', file, who: 'child', count: rounds, startAt });
    while (Date.now() < startAt) await new Promise((r) => setTimeout(r, 1));
    const mine: boolean[] = [];
    for (let i = 0; i < rounds; i++)
      mine.push((await parent.append('reg_gh', `race-${i}`, [ev('parent'), ev('parent')], 0)).ok);
    const theirs = JSON.parse((await childRun).at(-1)!) as boolean[];
    for (let i = 0; i < rounds; i++) {
      expect(Number(mine[i]) + Number(theirs[i])).toBe(1);
      const stored = await parent.readStream('reg_gh', `race-${i}`, 0, 10);
      expect(stored).toHaveLength(3);
      expect((stored[2]!.data as { who: string }).who).toBe((stored[1]!.data as { who: string }).who);
    }
    expect(await parent.headPosition('reg_gh')).toBe(rounds * 3 - 1);
    await parent.close();
  });

  it('three processes appending to a fresh file at once: all succeed, positions and versions have no gaps', async () => {
    const file = freshFile();
    const count = 150;
    const startAt = Date.now() + 1500;
    const kids = ['c1', 'c2'].map((who) => runChild({ mode: 'burst', file, who, count, startAt }));
    while (Date.now() < startAt) await new Promise((r) => setTimeout(r, 1));
    const s = await SqliteStorage.open(file); // three processes create the schema together
    for (let i = 0; i < count; i++)
      expect((await s.append('reg_gh', `p-${i % 5}`, [ev('p'), ev('p'), ev('p')], 'any')).ok).toBe(true);
    for (const out of await Promise.all(kids)) expect(JSON.parse(out.at(-1)!)).toEqual(Array(count).fill(true));
    const all = await s.readAll('reg_gh', 0, 10_000);
    expect(all.map((e) => e.position)).toEqual(Array.from({ length: 3 * 3 * count }, (_, i) => i));
    for (const stream of await s.getStreams('reg_gh')) {
      const events = await s.readStream('reg_gh', stream, 0, 10_000);
      expect(events.map((e) => e.eventNumber)).toEqual(Array.from({ length: events.length }, (_, i) => i));
    }
    expect((await s.getStreams('reg_gh')).sort()).toEqual([
      'c1-0',
      'c1-1',
      'c1-2',
      'c1-3',
      'c1-4',
      'c2-0',
      'c2-1',
      'c2-2',
      'c2-3',
      'c2-4',
      'p-0',
      'p-1',
      'p-2',
      'p-3',
      'p-4',
    ]);
    await s.close();
  });

  it('watch reports appends made by another process, not our own', async () => {
    const file = freshFile();
    const s = await SqliteStorage.open(file);
    await s.ensureStore('reg_gh');
    let calls = 0;
    const stop = s.watch('reg_gh', () => calls++);
    await s.append('reg_gh', 'mine', [ev('p'), ev('p')], 'any');
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(0);
    await runChild({ mode: 'burst', file, who: 'c', count: 2, startAt: 0 });
    await waitUntil(() => calls > 0);
    expect(await s.headPosition('reg_gh')).toBe(7);
    stop();
    await s.close();
  });

  it('a writer waits for another process holding the write lock; with a short busy timeout it fails with timeout', async () => {
    const file = freshFile();
    const patient = await SqliteStorage.open(file);
    const hasty = await SqliteStorage.open(file, { busyTimeoutMs: 50 });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = runChild({ mode: 'hold', file, ms: 2000 }, (l) => l === 'locked' && locked());
    await isLocked;
    const err = await hasty.append('reg_gh', 's', [ev('h')], 'any').catch((e: unknown) => e);
    expect(isGaterError(err, 'timeout')).toBe(true);
    expect((err as GaterError).message).toContain(file);
    const t0 = Date.now();
    expect(await patient.append('reg_gh', 's', [ev('p')], 'no_stream')).toMatchObject({ ok: true, version: 0 });
    expect(Date.now() - t0).toBeGreaterThan(100);
    await holder;
    await Promise.all([patient.close(), hasty.close()]);
  });
});

describe('SqliteStorage instances sharing a file', () => {
  it('share one storage id, kept in the file across reopening; another file has another (DESIGN §8)', async () => {
    const file = freshFile();
    const [a, b] = await Promise.all([SqliteStorage.open(file), SqliteStorage.open(file)]);
    const id = await a.storageId();
    expect(id).toMatch(/^sqlite-[0-9a-f]{16}$/);
    expect(await b.storageId()).toBe(id);
    await Promise.all([a.close(), b.close()]);
    const again = await SqliteStorage.open(file);
    expect(await again.storageId()).toBe(id);
    const other = await SqliteStorage.open(freshFile());
    expect(await other.storageId()).not.toBe(id);
    await Promise.all([again.close(), other.close()]);
  });

  it('see each other’s events, subscriptions, checkpoints, parked events and snapshots; data survives reopening', async () => {
    const file = freshFile();
    const a = await SqliteStorage.open(file);
    const b = await SqliteStorage.open(file);
    let seen = 0;
    const stop = b.watch('reg_gh', () => seen++);
    await a.append('reg_gh', 's', [ev('a')], 'no_stream');
    expect(await b.append('reg_gh', 's', [ev('b')], 'no_stream')).toEqual({ ok: false, current: 0 });
    await waitUntil(() => seen > 0);
    const sub = {
      key: 'k',
      type: 'by_stream' as const,
      selector: '$all',
      name: 'n',
      startFrom: 0,
      checkpoint: 0,
      ackTimeoutMs: 30000,
      maxRetries: 10,
    };
    await b.saveSubscription('reg_gh', sub);
    await a.saveCheckpoint('reg_gh', 'k', 4);
    expect(await b.listSubscriptions('reg_gh')).toEqual([{ ...sub, checkpoint: 4 }]);
    await a.parkEvent('reg_gh', 'k', {
      subscription: 'n',
      position: 0,
      eventId: 'x',
      eventStreamId: 's',
      eventNumber: 0,
      reason: 'r',
      retries: 10,
      parkedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(await b.listParked('reg_gh', 'k')).toHaveLength(1);
    const snapshot = {
      sourceUuid: 'u',
      streamUuid: 'v',
      version: 1,
      record: { b: 1, a: 2 },
      created: new Date().toISOString(),
    };
    await b.recordSnapshot('reg_gh', snapshot);
    stop();
    await Promise.all([a.close(), b.close()]);
    const again = await SqliteStorage.open(file);
    expect(await again.readStream('reg_gh', 's', 0, 9)).toHaveLength(1);
    expect(await again.listSubscriptions('reg_gh')).toEqual([{ ...sub, checkpoint: 4 }]);
    expect(await again.readSnapshot('reg_gh', 'u', 'v', 1)).toEqual(snapshot);
    expect(new Database(file, { readonly: true }).pragma('journal_mode', { simple: true })).toBe('wal');
    await again.close();
  });
});

describe('createStorage / describeStorage', () => {
  it('opens memory and sqlite specs', async () => {
    const mem = await createStorage('memory');
    expect(mem.kind).toBe('memory');
    const file = freshFile();
    const s = await createStorage(`sqlite:${file}`);
    expect([s.kind, s.target, s.shared]).toEqual(['sqlite', `sqlite:${file}`, true]);
    expect(existsSync(file)).toBe(true);
    await Promise.all([mem.close(), s.close()]);
    expect(parseStorageSpec('sqlite:///var/x.db')).toEqual({ kind: 'sqlite', file: '/var/x.db' });
    expect(parseStorageSpec('sqlite:./rel.db')).toEqual({ kind: 'sqlite', file: './rel.db' });
    expect(parseStorageSpec('postgresql://h/db')).toEqual({ kind: 'postgres', url: 'postgresql://h/db' });
  });

  it('?synchronous=full turns on power-loss durability; normal is the default; anything else is refused', async () => {
    expect(parseStorageSpec('sqlite:./a.db?synchronous=full')).toEqual({
      kind: 'sqlite',
      file: './a.db',
      synchronous: 'full',
    });
    expect(parseStorageSpec('sqlite:./a.db?synchronous=NORMAL')).toMatchObject({ synchronous: 'normal' });
    for (const bad of ['sqlite:./a.db?synchronous=off', 'sqlite:./a.db?journal=wal', 'sqlite:?synchronous=full'])
      expect(() => parseStorageSpec(bad)).toThrow(/synchronous=full|give a file path/);
    const fullFile = freshFile();
    const full = (await createStorage(`sqlite:${fullFile}?synchronous=full`)) as SqliteStorage;
    const normal = (await createStorage(`sqlite:${freshFile()}`)) as SqliteStorage;
    expect([full.synchronous, full.target]).toEqual(['full', `sqlite:${fullFile}?synchronous=full`]);
    expect(normal.synchronous).toBe('normal');
    // the pragma is per connection: read it back on the adapter's own connection (2 = FULL, 1 = NORMAL)
    const pragma = (st: SqliteStorage) =>
      (st as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true });
    expect([pragma(full), pragma(normal)]).toEqual([2, 1]);
    await Promise.all([full.close(), normal.close()]);
  });

  it('an unopenable SQLite path gives the one-line message', async () => {
    const err = await createStorage('sqlite:/proc/nope/x.db').catch((e: unknown) => e);
    expect(isGaterError(err, 'connection_closed')).toBe(true);
    const msg = (err as GaterError).message;
    expect(msg).toMatch(/^cannot open SQLite file \/proc\/nope\/x\.db: .+\. Check the path and permissions\.$/);
    expect(msg).not.toContain('\n');
  });

  it('bad specs are invalid_argument naming the accepted forms, with any password masked', async () => {
    for (const spec of ['bogus', 'mysql://u:secret@h/db', 'sqlite:']) {
      const err = await createStorage(spec).catch((e: unknown) => e);
      expect(isGaterError(err, 'invalid_argument')).toBe(true);
      expect((err as GaterError).message).not.toContain('secret');
    }
    expect(((await createStorage('bogus').catch((e: unknown) => e)) as Error).message).toBe(
      'invalid storage "bogus": use memory, sqlite:<file> or postgres://user@host:5432/db',
    );
  });

  it('describeStorage masks passwords', () => {
    expect(describeStorage('postgres://user:s3cret@db.example:5432/app')).toBe(
      'postgres://user:***@db.example:5432/app',
    );
    expect(describeStorage('postgresql://user@h/app?password=s3cret&ssl=true')).toBe(
      'postgresql://user@h/app?password=***&ssl=true',
    );
    expect(describeStorage('postgres://user:p@ss@h/db')).not.toContain('ss@h/db:');
    expect(describeStorage('postgres://user:p@ss@h/db')).not.toMatch(/p@ss|:ss@/);
    expect(describeStorage('sqlite:/tmp/x.db')).toBe('sqlite:/tmp/x.db');
    expect(describeStorage('memory')).toBe('memory');
  });

  it('memory mode loads no driver; sqlite mode loads better-sqlite3 only', async () => {
    const probe = (spec: string) => `
      import { createRequire } from 'node:module';
      import { createStorage } from './src/node/storage/index.js';
      await (await createStorage(${JSON.stringify(spec)})).close();
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify(['better-sqlite3', 'pg'].filter((p) => loaded.some((k) => k.includes('/node_modules/' + p + '/')))));`;
    const run = (spec: string) =>
      new Promise<string>((resolve, reject) => {
        const p = spawn(process.execPath, ['--input-type=module', '-e', probe(spec)], { cwd: child.dir });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`probe exited with ${code}`))));
      });
    expect(await run('memory')).toBe('[]');
    expect(await run(`sqlite:${freshFile()}`)).toBe('["better-sqlite3"]');
  });

  it('a missing or broken better-sqlite3 build says how to fix it', () => {
    const broken = new Error('Could not locate the bindings file. Tried:\n → /x/build/better_sqlite3.node');
    expect(sqliteOpenError('/x.db', broken).message).toBe(
      'better-sqlite3 is not installed or not built for this Node: run npm rebuild better-sqlite3',
    );
    const abi = new Error('The module was compiled against a different Node.js version using NODE_MODULE_VERSION 115');
    expect(sqliteOpenError('/x.db', abi).message).toMatch(/npm rebuild better-sqlite3$/);
  });
});
