import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStorage } from '../../src/node/storage/sqlite.js';
import { describeStorageAdapterContract } from './storageAdapter.contract.js';

// Every test gets a fresh file in one temp directory, removed at the end (WAL and SHM files included).
const dir = mkdtempSync(join(tmpdir(), 'ex-esdb-sqlite-contract-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStorageAdapterContract('sqlite', async () => SqliteStorage.open(join(dir, `store-${++n}.db`)));
