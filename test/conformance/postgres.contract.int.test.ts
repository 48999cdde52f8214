import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStorage } from '../../src/node/storage/postgres.js';
import type { StorageAdapter } from '../../src/node/storage/storageAdapter.js';
import { describeStorageAdapterContract } from './storageAdapter.contract.js';
import { testPgUrl } from '../helpers/postgres.js';

/**
 * Runs against the real server (CI starts it with .ci/postgres.sh). An unreachable server FAILS every test with
 * the adapter's one-line message; it never skips. Each test gets its own schema, dropped afterwards, so test
 * files running in parallel never see each other's rows.
 */
const url = testPgUrl();

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

describeStorageAdapterContract(
  'postgres',
  async () => {
    try {
      return await PostgresStorage.open(url, { schema: `t_${randomBytes(6).toString('hex')}` });
    } catch (e) {
      throw new Error(`${(e as Error).message} (test/setup/services.ts chose this server; see README "Tests")`, {
        cause: e,
      });
    }
  },
  async (adapter: StorageAdapter) => {
    await adapter.close();
    if (adapter instanceof PostgresStorage) await dropSchema(adapter.schema);
  },
);
