import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAUSATION_KEYS, CORRELATION_KEYS } from '../../core/correlation.js';
import { testPgUrl } from '../../../test/helpers/postgres.js';
import { PostgresStorage } from './postgres.js';
import { MIGRATIONS } from './postgresSchema.js';

/**
 * Migration 9 replaces the two functions the correlation and causation indexes are built on without rebuilding the
 * indexes, which is only sound if they answer exactly as migration 5's did for every metadata text. Both versions
 * run side by side on the real server, in two scratch schemas, over generated metadata.
 */
const url = testPgUrl();
const admin = new pg.Pool({ connectionString: url, max: 1 });
admin.on('error', () => {});
const suffix = randomBytes(4).toString('hex');
const v5 = `"mid5_${suffix}"`;
const v9 = `"mid9_${suffix}"`;
/** Migration 5's text up to its indexes (they need the events table; only the functions are compared). */
const functionsOf = (m: number, s: string) => MIGRATIONS[m - 1]!.up(s).split('CREATE INDEX')[0]!;

beforeAll(async () => {
  for (const s of [v5, v9]) await admin.query(`CREATE SCHEMA ${s}`);
  await admin.query(functionsOf(5, v5));
  await admin.query(functionsOf(5, v9) + MIGRATIONS[8]!.up(v9));
});
afterAll(async () => {
  for (const s of [v5, v9]) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await admin.end();
});

/** Texts whose results differ between the two versions (an empty list when they agree on all). */
async function disagreements(texts: (string | null)[]): Promise<unknown[]> {
  const r = await admin.query(
    `SELECT m, ${v5}.esdb_correlation(m) AS c5, ${v9}.esdb_correlation(m) AS c9,
            ${v5}.esdb_causation(m) AS k5, ${v9}.esdb_causation(m) AS k9
       FROM unnest($1::text[]) AS t(m)`,
    [texts],
  );
  return r.rows.filter((x) => x.c5 !== x.c9 || x.k5 !== x.k9);
}

/** JSON text with some characters of its keys written as \u escapes, as another encoder may write them. */
function escapeKeys(json: string, pick: (i: number) => boolean): string {
  let i = 0;
  return json.replace(/"((?:[^"\\]|\\.)*)":/g, (_all, key: string) => {
    const spelled = [...key].map((ch) =>
      /[A-Za-z_$]/.test(ch) && pick(i++) ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch,
    );
    return `"${spelled.join('')}":`;
  });
}

const keys = fc.constantFrom(...CORRELATION_KEYS, ...CAUSATION_KEYS, 'user', 'correlation', 'causation_ids', 'x');
const leaf = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.constantFrom('"correlation_id"'));
const value = fc.oneof(leaf, fc.dictionary(keys, leaf, { maxKeys: 3 }), fc.array(leaf, { maxLength: 3 }));
const metadata = fc.oneof(
  { weight: 5, arbitrary: fc.dictionary(keys, value, { maxKeys: 6 }) },
  { weight: 1, arbitrary: value },
);

describe('migration 9: esdb_correlation and esdb_causation', () => {
  it('answer as migration 5 did for generated metadata, with and without \\u escapes in its keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(metadata, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 })), { maxLength: 50 }),
        async (samples) => {
          const texts = samples.flatMap(([m, bits]) => {
            const json = JSON.stringify(m);
            return [json, escapeKeys(json, (i) => bits[i % bits.length]!)];
          });
          expect(await disagreements(texts)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('answer alike for NULL, non-objects and keys only nested or only inside strings', async () => {
    expect(
      await disagreements([
        null,
        'null',
        '[]',
        '"correlation_id"',
        '{"a":{"correlation_id":"n"}}',
        '{"x":"\\"causation_id\\":\\"y\\""}',
        '{"correlation_id":"\\u0041","causationId":"c"}',
      ]),
    ).toEqual([]);
  });

  it('a database left at version 8 with events migrates to 9 in place and follow still finds them by index', async () => {
    const schema = `mid8_${suffix}`;
    const q = `"${schema}"`;
    try {
      // What a node of the previous release left: migrations 1 to 8 and events written through its esdb_append.
      await admin.query(`CREATE SCHEMA ${q}; CREATE TABLE ${q}.schema_migrations (
        version int PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      for (const m of MIGRATIONS.filter((x) => x.version <= 8)) {
        await admin.query(m.up(q));
        await admin.query(`INSERT INTO ${q}.schema_migrations (version, description) VALUES ($1, $2)`, [
          m.version,
          m.description,
        ]);
      }
      const store = (await admin.query(`SELECT ${q}.esdb_store('reg_gh') AS id`)).rows[0].id as number;
      const metas = [
        '{"correlation_id":"c1"}',
        '{"causation_id":"e1","correlation_id":"c1"}',
        'null',
        '{"\\u0063orrelationId":"c1"}',
      ];
      for (const [i, meta] of metas.entries())
        await admin.query(
          `SELECT * FROM ${q}.esdb_append($1, 's', -4, ARRAY[$2], ARRAY['t'], ARRAY[1], ARRAY[1], ARRAY['{}'], ARRAY[$3],
             '2026-11-30T00:00:00.000Z', 0, 'ch', '', false, false)`,
          [store, `e${i}`, meta],
        );
      const storage = await PostgresStorage.open(url, { schema });
      try {
        const version = (await admin.query(`SELECT max(version) AS v FROM ${q}.schema_migrations`)).rows[0].v;
        expect(version).toBe(9);
        const found = await storage.findCorrelated('reg_gh', ['c1'], -1, 100);
        expect(found.map((e) => e.eventId)).toEqual(['e0', 'e1', 'e3']);
        expect((await storage.findCorrelated('reg_gh', ['e1'], -1, 100)).map((e) => e.eventId)).toEqual(['e1']);
        // The index built by version 8 agrees with the new function on every row.
        const byIndex = await admin.query(
          `SET enable_seqscan = off; SELECT count(*)::int AS n FROM ${q}.events
             WHERE store_id = ${store} AND ${q}.esdb_correlation(metadata) = 'c1'`,
        );
        expect((byIndex as unknown as { rows: { n: number }[] }[])[1]!.rows[0]!.n).toBe(3);
      } finally {
        await storage.close();
      }
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${q} CASCADE`);
    }
  });

  it('refuse alike what jsonb refuses (\\u0000)', async () => {
    for (const s of [v5, v9])
      await expect(admin.query(`SELECT ${s}.esdb_correlation($1)`, ['{"a":"\\u0000"}'])).rejects.toMatchObject({
        code: '22P05',
      });
  });
});
