/**
 * Where the cookie and the gossip secret come from (DESIGN §5 trust model, §6): a flag, the environment, a file
 * (`--cookie-file`, `EX_ESDB_COOKIE_FILE`, ...), or — when none is given — a strong random value generated once
 * and kept in a file readable by this user only, like `~/.erlang.cookie`, so every node and console this user
 * starts on this machine shares it. Values are never logged; paths are.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';
import { UsageError } from './exitCodes.js';

/** Below this many estimated bits a cookie or secret gets a loud warning. */
export const MIN_SECRET_BITS = 128;

/** Bytes of a generated cookie or secret (256 bits, as base64url: 43 characters). */
const GENERATED_BYTES = 32;

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

/** The directory generated credentials live in: `$XDG_CONFIG_HOME/ex-esdb-console` (or `~/.config/...`). */
export function defaultCredentialDir(): string {
  return envPaths('ex-esdb-console', { suffix: '' }).config;
}

/**
 * Reads the generated credential of `kind` in `dir`, creating it (256 random bits, mode 0600, in a 0700
 * directory) when it does not exist yet. Two processes starting at once agree: creation is exclusive and the
 * loser reads the winner's file.
 *
 * @throws UsageError when the file cannot be created or read (naming the path and the flag to use instead).
 */
export function loadOrCreateCredential(kind: CredentialKind, dir = defaultCredentialDir()): Credential {
  const c = CREDENTIALS[kind];
  const path = join(dir, c.file);
  const value = randomBytes(GENERATED_BYTES).toString('base64url');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, `${value}\n`);
    } finally {
      closeSync(fd);
    }
    return { value, origin: { from: 'generated', path, created: true } };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      throw new UsageError(`cannot create the ${c.label} file ${path} (${code}); give one with ${c.fileFlag}`);
    }
  }
  // Written by another process a moment ago: it may still be empty, so give it a few tries.
  for (let i = 0; ; i++) {
    const existing = fromFile(path, c.fileFlag);
    if (existing.value.length > 0 || i >= 20)
      return { value: existing.value, origin: { from: 'generated', path, created: false } };
  }
}

/**
 * A rough estimate of the bits of entropy in a secret a person chose: its length times the bits of the
 * character classes it uses (lowercase, uppercase, digits, other; a hex-only string counts 4 bits a character),
 * where a character repeating the one before it counts for nothing. It over-estimates words and patterns; it is
 * for a warning, never a guarantee.
 */
export function estimateEntropyBits(s: string): number {
  const chars = [...s];
  if (chars.length === 0) return 0;
  let pool: number;
  if (/^[0-9a-f]+$/.test(s) || /^[0-9A-F]+$/.test(s)) pool = 16;
  else {
    pool = 0;
    if (/[a-z]/.test(s)) pool += 26;
    if (/[A-Z]/.test(s)) pool += 26;
    if (/[0-9]/.test(s)) pool += 10;
    if (/[^a-zA-Z0-9]/.test(s)) pool += 33;
  }
  let counted = 0;
  for (let i = 0; i < chars.length; i++) if (i === 0 || chars[i] !== chars[i - 1]) counted++;
  return Math.floor(counted * Math.log2(pool));
}

/** Permission bits that let someone other than the owner read a file (group or others). */
export function readableByOthers(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/** Where a credential came from, for messages: never the value. */
export function describeOrigin(o: CredentialOrigin): string {
  if (o.from === 'generated') return `generated file ${o.path}`;
  if (o.from === 'file') return `${o.name} ${o.path}`;
  return o.name;
}

type WarnLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

/**
 * The value to use for `kind`: the configured one (checked: a weak value or a file others can read is warned
 * about loudly), or the generated one from the user-only file, created on first use with its path shown once.
 *
 * @param given the configured value, if any; `file` is where it was read from, for the permission check.
 * @throws UsageError when the generated file cannot be created or read.
 */
export function credentialOrGenerated(
  kind: CredentialKind,
  given: { value: string | undefined; file?: string | undefined },
  log: WarnLog,
  dir?: string,
): string {
  const c = CREDENTIALS[kind];
  if (given.value !== undefined) {
    const bits = estimateEntropyBits(given.value);
    if (bits < MIN_SECRET_BITS)
      log(
        'warn',
        `🏭 [System] ⚠️  the ${c.label} is weak (about ${bits} bits, under ${MIN_SECRET_BITS}): whoever can reach a node can ` +
          `guess it. Leave ${c.flag} unset to use a generated one, or make one with: openssl rand -base64 32`,
      );
    if (given.file !== undefined && readableByOthers(given.file))
      log(
        'warn',
        `🏭 [System] ⚠️  ${given.file} holds the ${c.label} and other users can read it: chmod 600 ${given.file}`,
      );
    return given.value;
  }
  const generated = loadOrCreateCredential(kind, dir);
  const origin = generated.origin;
  if (origin.from === 'generated' && origin.created)
    log(
      'warn',
      `🏭 [System] no ${c.label} configured: generated a random one in ${origin.path} (readable by you only). ` +
        `Everything you start on this machine uses it; elsewhere pass the same file with ${c.fileFlag}.`,
    );
  else log('debug', `🏭 [System] using the ${c.label} in ${describeOrigin(origin)}`);
  return generated.value;
}
