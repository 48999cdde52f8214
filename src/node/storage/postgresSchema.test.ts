import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from './postgresSchema.js';

/**
 * A migration that has run on someone's database is never edited: a schema at version N must mean the same tables
 * and functions everywhere. Its SQL text is pinned here (sha256 of `up('"s"')`, first 16 hex digits); a new change
 * to the schema is a new migration with a hash of its own.
 */
const SHIPPED: Record<number, string> = {
  1: 'd168cbd7d05cd8d7',
  2: '6ef5ffe02999a5cd',
  3: '382a2c9be3fc3c12',
  4: '9ea4d13c30c5a291',
  5: '4dbf5be7dbcfd487',
  6: 'b3d379a2898865cc',
  7: 'bed1f974f2cbd863',
  8: '862908a7eaacd44b',
};

describe('PostgreSQL migrations', () => {
  it('shipped migrations keep their SQL text exactly', () => {
    const text = Object.fromEntries(
      MIGRATIONS.map((m) => [m.version, createHash('sha256').update(m.up('"s"')).digest('hex').slice(0, 16)]),
    );
    expect(text).toMatchObject(SHIPPED);
  });

  it('versions run 1, 2, 3, … without a gap, the last one being SCHEMA_VERSION', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });
});
