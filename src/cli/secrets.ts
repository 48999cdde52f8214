/**
 * Where the cookie and the gossip secret come from (DESIGN §5 trust model, §6): a flag, the environment, a file
 * (`--cookie-file`, `EX_ESDB_COOKIE_FILE`, ...), or — when none is given — a strong random value generated once
 * and kept in a file readable by this user only, like `~/.erlang.cookie`, so every node and console this user
 * starts on this machine shares it. Values are never logged; paths are.
 */
import { readFileSync } from 'node:fs';
import { isGaterError, type LogFn } from '../core/index.js';
import {
  credentialOrGenerated as chooseCredential,
  defaultCredentialDir,
  loadOrCreateCredential as loadOrCreate,
  type CredentialNames,
} from '../gateway/credentials.js';
import { UsageError } from './exitCodes.js';

export {
  MIN_SECRET_BITS,
  defaultCredentialDir,
  estimateEntropyBits,
  readableByOthers,
} from '../gateway/credentials.js';

/** The two credentials, with what the flags, the environment and the files call them. */
export const CREDENTIALS = {
  cookie: {
    label: 'cookie',
    file: 'cookie',
    flag: '--cookie',
    fileFlag: '--cookie-file',
    env: ['EX_ESDB_COOKIE', 'RELEASE_COOKIE'],
    fileEnv: 'EX_ESDB_COOKIE_FILE',
  },
  secret: {
    label: 'gossip secret',
    file: 'cluster_secret',
    flag: '--secret',
    fileFlag: '--secret-file',
    env: ['EX_ESDB_CLUSTER_SECRET'],
    fileEnv: 'EX_ESDB_CLUSTER_SECRET_FILE',
  },
} as const;
export type CredentialKind = keyof typeof CREDENTIALS;

/** Where a credential came from; `file` and `generated` carry the path (never the value) for messages. */
export type CredentialOrigin =
  | { from: 'flag' | 'env'; name: string }
  | { from: 'file'; name: string; path: string }
  | { from: 'generated'; path: string; created: boolean };

export interface Credential {
  value: string;
  origin: CredentialOrigin;
}

type Env = Record<string, string | undefined>;

/**
 * The credential the flags and environment give, if any. Flags win over the environment; within one level a
 * value and a file together are a usage error (which one was meant?).
 *
 * @throws UsageError naming the flag or variable when a file is missing, unreadable or empty.
 */
export function credentialFrom(
  kind: CredentialKind,
  flags: { value?: string | undefined; file?: string | undefined },
  env: Env,
): Credential | undefined {
  const c = CREDENTIALS[kind];
  if (flags.value !== undefined && flags.file !== undefined)
    throw new UsageError(`give ${c.flag} or ${c.fileFlag}, not both`);
  if (flags.value !== undefined)
    return { value: nonEmpty(flags.value, c.flag), origin: { from: 'flag', name: c.flag } };
  if (flags.file !== undefined) return fromFile(flags.file, c.fileFlag);
  const envName = c.env.find((n) => env[n] !== undefined && env[n] !== '');
  const envFile = env[c.fileEnv];
  if (envName !== undefined && envFile !== undefined && envFile !== '')
    throw new UsageError(`set ${envName} or ${c.fileEnv}, not both`);
  if (envName !== undefined) return { value: env[envName]!, origin: { from: 'env', name: envName } };
  if (envFile !== undefined && envFile !== '') return fromFile(envFile, c.fileEnv);
  return undefined;
}

/**
 * The Erlang cookie for `--beam`: `--cookie` / `--cookie-file`, then `RELEASE_COOKIE` (the variable an Elixir
 * release runs with, so the cluster's own cookie wins over a console cookie meant for our TCP nodes), then
 * `EX_ESDB_COOKIE` / `EX_ESDB_COOKIE_FILE`. Undefined when none is set: the gateway then reads
 * `~/.erlang.cookie`, as `erl` does.
 *
 * @throws UsageError as credentialFrom does (a file missing or empty, a value and a file together).
 */
export function beamCookieFrom(flags: { value?: string | undefined; file?: string | undefined }, env: Env) {
  const fromFlags = credentialFrom('cookie', flags, {});
  if (fromFlags) return fromFlags;
  const release = env.RELEASE_COOKIE;
  if (release !== undefined && release !== '')
    return { value: release, origin: { from: 'env', name: 'RELEASE_COOKIE' } } satisfies Credential;
  return credentialFrom('cookie', {}, { ...env, RELEASE_COOKIE: undefined });
}

function nonEmpty(value: string, name: string): string {
  if (value.length === 0) throw new UsageError(`${name} must not be empty`);
  return value;
}

function fromFile(path: string, name: string): Credential {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new UsageError(`${name}: cannot read ${path} (${code}); give a file holding the value on one line`);
  }
  // Like ~/.erlang.cookie: surrounding whitespace and the final newline are not part of the value.
  const value = text.trim();
  if (value.length === 0) throw new UsageError(`${name}: ${path} is empty; put the value on its first line`);
  return { value, origin: { from: 'file', name, path } };
}

/**
 * Reads the generated credential of `kind` in `dir`, creating it when it does not exist yet (src/gateway/credentials).
 *
 * @throws UsageError when the file cannot be created or read (naming the path and the flag to use instead).
 */
export function loadOrCreateCredential(kind: CredentialKind, dir = defaultCredentialDir()): Credential {
  const { value, path, created } = asUsage(() => loadOrCreate(kind, dir, cliNames(kind)));
  return { value, origin: { from: 'generated', path, created } };
}

/** Where a credential came from, for messages: never the value. */
export function describeOrigin(o: CredentialOrigin): string {
  if (o.from === 'generated') return `generated file ${o.path}`;
  if (o.from === 'file') return `${o.name} ${o.path}`;
  return o.name;
}

/**
 * The value to use for `kind`: the configured one (checked: a weak value or a file others can read is warned
 * about loudly), or the generated one from the user-only file, created on first use with its path shown once.
 * The gateway's own rule (startGater applies it too), told in the CLI's flag names.
 *
 * @param given the configured value, if any; `file` is where it was read from, for the permission check.
 * @throws UsageError when the generated file cannot be created or read.
 */
export function credentialOrGenerated(
  kind: CredentialKind,
  given: { value: string | undefined; file?: string | undefined },
  log: LogFn,
  dir?: string,
): string {
  return asUsage(() => chooseCredential(kind, { ...given, dir, names: cliNames(kind), checkGiven: true }, log));
}

function cliNames(kind: CredentialKind): CredentialNames {
  return { value: CREDENTIALS[kind].flag, file: CREDENTIALS[kind].fileFlag };
}

/** The gateway's GaterErrors about credential files are usage errors here (exit 2). */
function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isGaterError(e)) throw new UsageError(e.message);
    throw e;
  }
}
