import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, uniq } from './helpers.js';
import { testPgUrl } from '../helpers/postgres.js';

const base = testPgUrl();
const USER_SECRET = 'userinfoS3cret';
const QUERY_SECRET = 'queryS3cret';

/** The test server's URL with a password in the user info and another in a `password=` parameter. */
function withPasswords(port?: number, schema?: string): string {
  const u = new URL(base);
  u.password = USER_SECRET;
  if (port !== undefined) u.port = String(port);
  if (schema) u.searchParams.set('schema', schema);
  u.searchParams.set('password', QUERY_SECRET);
  return u.toString();
}

// Regression (issue 9): a second, weaker masker once printed `?password=` values in `status --json`. Every output
// a user or a log collector sees — JSON, human text, debug logs, errors — must mask both kinds of password.
describe('PostgreSQL passwords never reach any output (built binary)', () => {
  const schema = `mask_${uniq()}`;
  beforeAll(ensureBuilt, 120_000);
  afterAll(async () => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });

  const expectMasked = (out: string) => {
    expect(out).not.toContain(USER_SECRET);
    expect(out).not.toContain(QUERY_SECRET);
  };

  it('status --json, human status and debug logs show the storage with both passwords as ***', async () => {
    const url = withPasswords(undefined, schema);
    const json = await cli(['--storage', url, '--log-level', 'debug', 'status', '--json']);
    expect(json.code).toBe(0);
    expect(json.json[0]!.storage).toMatch(/postgres:\/\/postgres:\*\*\*@.*password=\*\*\*/);
    expectMasked(json.stdout + json.stderr);
    const human = await cli(['--storage', url, '--log-level', 'debug', 'status']);
    expect(human.code).toBe(0);
    expectMasked(human.stdout + human.stderr);
  });

  it('an unreachable server is reported with the passwords masked, in text and in --json', async () => {
    const url = withPasswords(1);
    for (const args of [['status'], ['status', '--json']]) {
      const r = await cli(['--storage', url, ...args]);
      expect(r.code).toBe(3);
      expect(r.stdout + r.stderr).toContain('***');
      expectMasked(r.stdout + r.stderr);
    }
  });
});
