/**
 * Named connection contexts (like `nats context` and kubectl's): the flags a user would otherwise type on every
 * command, kept in `contexts.json` in the user's config directory. Secrets are never stored in it, only the paths
 * of files holding them (a value given to `context add --cookie` is written to its own 0600 file first).
 */
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { GlobalFlags } from './config.js';
import { UsageError } from './exitCodes.js';
import { defaultCredentialDir } from './secrets.js';

/** What a context may hold: the connection-shaped global flags, secrets by file only. */
export interface ContextSettings {
  connect?: string;
  store?: string;
  storage?: string;
  cookieFile?: string;
  secretFile?: string;
  beam?: string;
  cluster?: boolean;
  gossipPort?: string;
  gossipAddr?: string;
  gossipIf?: string;
  timeout?: string;
  description?: string;
}

export interface ContextFile {
  current?: string;
  contexts: Record<string, ContextSettings>;
}

/**
 * Each setting, the global flags that override it, and the environment variables that do. A flag for either form
 * of a credential (`--cookie` or `--cookie-file`) replaces the context's file: giving both would be ambiguous.
 */
const SETTINGS: ReadonlyArray<{
  key: keyof ContextSettings & keyof GlobalFlags;
  flags: (keyof GlobalFlags)[];
  env: string[];
}> = [
  { key: 'connect', flags: ['connect'], env: ['EX_ESDB_CONNECT'] },
  { key: 'store', flags: ['store'], env: ['EX_ESDB_STORE'] },
  { key: 'storage', flags: ['storage'], env: ['EX_ESDB_STORAGE'] },
  {
    key: 'cookieFile',
    flags: ['cookie', 'cookieFile'],
    env: ['EX_ESDB_COOKIE', 'RELEASE_COOKIE', 'EX_ESDB_COOKIE_FILE'],
  },
  {
    key: 'secretFile',
    flags: ['secret', 'secretFile'],
    env: ['EX_ESDB_CLUSTER_SECRET', 'EX_ESDB_CLUSTER_SECRET_FILE'],
  },
  { key: 'beam', flags: ['beam'], env: ['EX_ESDB_BEAM_NODES'] },
  { key: 'cluster', flags: ['cluster'], env: [] },
  { key: 'gossipPort', flags: ['gossipPort'], env: ['EX_ESDB_CLUSTER_PORT'] },
  { key: 'gossipAddr', flags: ['gossipAddr'], env: ['EX_ESDB_GOSSIP_MULTICAST_ADDR'] },
  { key: 'gossipIf', flags: ['gossipIf'], env: ['EX_ESDB_CLUSTER_INTERFACE'] },
  { key: 'timeout', flags: ['timeout'], env: [] },
];

/** The setting keys `context add` reads from the global flags. */
export const CONTEXT_KEYS = SETTINGS.map((s) => s.key);

type Env = Record<string, string | undefined>;

/** The tool's config directory, where the generated cookie and secret live too (`$XDG_CONFIG_HOME/ex-esdb-console`). */
export const defaultContextDir = defaultCredentialDir;

/** A context name is typed on command lines and used in file names: letters, digits, `.`, `_`, `-`. */
export function checkContextName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new UsageError(
      `context name must be 1-64 letters, digits, ".", "_" or "-" (starting with a letter or digit), got "${name}"`,
    );
  return name;
}

export class ContextStore {
  constructor(readonly dir: string = defaultContextDir()) {}

  get path(): string {
    return join(this.dir, 'contexts.json');
  }

  /** @throws UsageError when the file exists but is not a contexts file (naming it, so it can be fixed). */
  load(): ContextFile {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
      throw new UsageError(`cannot read ${this.path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`${this.path} is not valid JSON (${(e as Error).message}); fix or delete it`);
    }
    if (!isContextFile(parsed))
      throw new UsageError(`${this.path} is not a contexts file ({"current":..., "contexts":{...}}); fix or delete it`);
    return parsed;
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a file; user-only permissions. */
  save(file: ContextFile): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }

  /** Writes a secret given by value to its own user-only file next to the contexts file; returns the path. */
  writeSecret(context: string, kind: 'cookie' | 'secret', value: string): string {
    const dir = join(this.dir, 'contexts');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${context}.${kind}`);
    const fd = openSync(path, 'w', 0o600);
    try {
      writeSync(fd, `${value}\n`);
    } finally {
      closeSync(fd);
    }
    chmodSync(path, 0o600);
    return path;
  }
}

function isContextFile(v: unknown): v is ContextFile {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if (o.current !== undefined && typeof o.current !== 'string') return false;
  if (typeof o.contexts !== 'object' || o.contexts === null || Array.isArray(o.contexts)) return false;
  return Object.values(o.contexts).every((c) => typeof c === 'object' && c !== null && !Array.isArray(c));
}

/** Which context applies: `--context`, then EX_ESDB_CONTEXT (both explicit), then the one `context use` chose. */
export function selectContext(
  flags: GlobalFlags,
  env: Env,
  file: ContextFile,
): { name: string; settings: ContextSettings; explicit: boolean } | undefined {
  const explicitName = flags.context ?? (env.EX_ESDB_CONTEXT ? env.EX_ESDB_CONTEXT : undefined);
  const name = explicitName ?? file.current;
  if (name === undefined) return undefined;
  const settings = file.contexts[name];
  if (settings === undefined) {
    const known = Object.keys(file.contexts).sort();
    const where =
      flags.context !== undefined
        ? '--context'
        : explicitName !== undefined
          ? 'EX_ESDB_CONTEXT'
          : 'the current context';
    throw new UsageError(
      `${where} names "${name}", which does not exist; known: ${known.length ? known.join(', ') : 'none'} (see context ls)`,
    );
  }
  return { name, settings, explicit: explicitName !== undefined };
}

/**
 * The global flags with the context's settings filled in. Flags always win. A context named explicitly
 * (`--context`, EX_ESDB_CONTEXT) also wins over the environment, since it was asked for on this command; the
 * current context chosen earlier with `context use` yields to the environment, like any default.
 */
export function applyContext(flags: GlobalFlags, env: Env, store: ContextStore = new ContextStore()): GlobalFlags {
  const selected = selectContext(flags, env, store.load());
  if (selected === undefined) return flags;
  const out: GlobalFlags = { ...flags, context: selected.name };
  for (const s of SETTINGS) {
    const value = selected.settings[s.key];
    if (value === undefined) continue;
    if (s.flags.some((f) => flags[f] !== undefined)) continue;
    if (!selected.explicit && s.env.some((e) => env[e] !== undefined && env[e] !== '')) continue;
    (out as Record<string, unknown>)[s.key] = value;
  }
  return out;
}

/** The context settings the given global flags describe (what `context add` stores). */
export function settingsFromFlags(flags: GlobalFlags): ContextSettings {
  const out: ContextSettings = {};
  for (const key of CONTEXT_KEYS) {
    const v = flags[key];
    if (v !== undefined) (out as Record<string, unknown>)[key] = v;
  }
  return out;
}
