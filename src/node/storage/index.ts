import { GaterError } from '../../core/errors.js';
import { MemoryStorage } from './memory.js';
import type { StorageAdapter } from './storageAdapter.js';
import { parseStorageSpec } from '../../core/storageSpec.js';
import type * as SqliteModule from './sqlite.js';
import type * as PostgresModule from './postgres.js';

export type { AppendOutcome, PreparedEvent, StorageAdapter, StoredSubscription } from './storageAdapter.js';
export { MemoryStorage } from './memory.js';
export { describeStorage, parseStorageSpec, type SqliteSynchronous, type StorageSpec } from '../../core/storageSpec.js';

/**
 * Opens the storage a spec names: `memory`, `sqlite:<file>` (created when missing) or `postgres://...`
 * (`postgresql://` too; `?schema=name` picks the schema, default `public`; created with its tables on first use).
 * The drivers load on demand, so memory mode never loads better-sqlite3 or pg. Failures are one-line GaterErrors
 * naming the target and what to do: `invalid_argument` for a bad spec, `connection_closed` for a target that
 * cannot be opened or reached.
 */
export async function createStorage(spec: string): Promise<StorageAdapter> {
  const parsed = parseStorageSpec(spec);
  switch (parsed.kind) {
    case 'memory':
      return new MemoryStorage();
    case 'sqlite': {
      let mod: typeof SqliteModule;
      try {
        mod = await import('./sqlite.js');
      } catch (e) {
        throw new GaterError(
          'connection_closed',
          'better-sqlite3 is not installed or not built for this Node: run npm rebuild better-sqlite3',
          {},
          { cause: e },
        );
      }
      return mod.SqliteStorage.open(parsed.file, parsed.synchronous ? { synchronous: parsed.synchronous } : {});
    }
    case 'postgres': {
      let mod: typeof PostgresModule;
      try {
        mod = await import('./postgres.js');
      } catch (e) {
        throw new GaterError('connection_closed', 'pg is not installed: run npm install pg', {}, { cause: e });
      }
      return mod.PostgresStorage.open(parsed.url);
    }
  }
}
