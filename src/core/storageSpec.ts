import { GaterError } from './errors.js';

// One parser and one masker for storage specs: the CLI, the node and status all go through these two, so a
// password can never be shown by a weaker copy.

/** A storage spec taken apart: `memory`, `sqlite:<file>` or a PostgreSQL URL. */
export type StorageSpec =
  | { kind: 'memory' }
  | { kind: 'sqlite'; file: string; synchronous?: SqliteSynchronous }
  | { kind: 'postgres'; url: string };

/** SQLite's `synchronous` pragma as the spec may set it (`?synchronous=full`); `normal` is the default. */
export type SqliteSynchronous = 'normal' | 'full';

const USAGE = 'use memory, sqlite:<file> or postgres://user@host:5432/db';

/** Parses a storage spec (the `--storage` flag / EX_ESDB_STORAGE). Throws `invalid_argument` for anything else. */
export function parseStorageSpec(spec: string): StorageSpec {
  const s = spec.trim();
  if (s === '' || s.toLowerCase() === 'memory') return { kind: 'memory' };
  if (/^sqlite:/i.test(s)) {
    // `sqlite:///abs/file.db` is a common spelling of `sqlite:/abs/file.db`.
    let file = s.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    let synchronous: SqliteSynchronous | undefined;
    const query = /\?([a-z_]+=[^?]*)$/i.exec(file);
    if (query) {
      file = file.slice(0, query.index);
      for (const pair of query[1]!.split('&')) {
        const [key, value = ''] = pair.split('=');
        if (key?.toLowerCase() !== 'synchronous' || !/^(normal|full)$/i.test(value))
          throw new GaterError(
            'invalid_argument',
            `invalid storage "${s}": the one sqlite option is ?synchronous=normal (default) or ?synchronous=full`,
          );
        synchronous = value.toLowerCase() as SqliteSynchronous;
      }
    }
    if (file === '')
      throw new GaterError('invalid_argument', `invalid storage "${s}": give a file path, e.g. sqlite:./data/store.db`);
    return synchronous ? { kind: 'sqlite', file, synchronous } : { kind: 'sqlite', file };
  }
  if (/^postgres(ql)?:\/\//i.test(s)) return { kind: 'postgres', url: s };
  throw new GaterError('invalid_argument', `invalid storage "${describeStorage(s)}": ${USAGE}`);
}

/**
 * A display form of a storage spec for logs, status and errors: the password of a PostgreSQL URL (in the user
 * info or a `password=` parameter) is replaced by `***`.
 */
export function describeStorage(spec: string): string {
  const s = spec.trim();
  if (s === '' || s.toLowerCase() === 'memory') return 'memory';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return s;
  try {
    const u = new URL(s);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    // Not a URL the WHATWG parser accepts (e.g. an unencoded '@' in the password): mask by pattern instead.
    return s.replace(/^([^:]+:\/\/[^:/@]*):[^@]*@/, '$1:***@').replace(/([?&]password=)[^&]*/i, '$1***');
  }
}
