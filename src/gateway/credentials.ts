/**
 * The cookie and the gossip secret when none is given (DESIGN §5 trust model): a strong random value generated
 * once and kept in a file readable by this user only, like `~/.erlang.cookie`, so every node, console and program
 * this user starts on this machine shares it. Shared by the package API (startGater) and the CLI, so neither falls
 * back to a fixed development value. Values are never logged; paths are.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';
import { GaterError } from '../core/errors.js';
import type { LogFn } from '../core/log.js';

/** Below this many estimated bits a cookie or secret gets a loud warning. */
export const MIN_SECRET_BITS = 128;

/** Bytes of a generated cookie or secret (256 bits, as base64url: 43 characters). */
const GENERATED_BYTES = 32;

/** The two credentials: what messages call them and the file a generated one lives in. */
export const GENERATED_FILES = {
  cookie: { label: 'cookie', file: 'cookie' },
  secret: { label: 'gossip secret', file: 'cluster_secret' },
} as const;
export type CredentialKind = keyof typeof GENERATED_FILES;

/** What the caller calls the settings in its messages (the CLI: `--cookie` / `--cookie-file`). */
export interface CredentialNames {
  /** The setting that gives the value. */
  value: string;
  /** The setting that gives a file holding it. */
  file: string;
}

/** The package API's own names, for messages from startGater. */
const API_NAMES: Record<CredentialKind, CredentialNames> = {
  cookie: { value: 'the cookie option', file: 'the cookie option' },
  secret: { value: 'gossip.secret', file: 'gossip.secret' },
};

export interface GeneratedCredential {
  value: string;
  path: string;
  /** Whether this call created the file (its path is then shown once). */
  created: boolean;
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
 * @throws GaterError `invalid_argument` when the file cannot be created or read (naming the path).
 */
export function loadOrCreateCredential(
  kind: CredentialKind,
  dir = defaultCredentialDir(),
  names: CredentialNames = API_NAMES[kind],
): GeneratedCredential {
  const c = GENERATED_FILES[kind];
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
    return { value, path, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      throw new GaterError(
        'invalid_argument',
        `cannot create the ${c.label} file ${path} (${code}); give one with ${names.file}`,
        { path },
      );
    }
  }
  // Written by another process a moment ago: it may still be empty, so give it a few tries.
  for (let i = 0; ; i++) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      throw new GaterError('invalid_argument', `cannot read the ${c.label} file ${path} (${code})`, { path });
    }
    // Like ~/.erlang.cookie: surrounding whitespace and the final newline are not part of the value.
    const existing = text.trim();
    if (existing.length > 0 || i >= 20) {
      if (existing.length === 0)
        throw new GaterError('invalid_argument', `${path} is empty; put the ${c.label} on its first line`, { path });
      return { value: existing, path, created: false };
    }
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

export interface CredentialChoice {
  /** The configured value, if any. */
  value: string | undefined;
  /** Where it was read from, for the permission check. */
  file?: string | undefined;
  /** Where a generated one lives (default {@link defaultCredentialDir}). */
  dir?: string | undefined;
  /** What messages call the settings (default: the package API's option names). */
  names?: CredentialNames;
  /**
   * Warn about a weak given value or a file others can read (the CLI, which knows the file). Off for startGater,
   * whose caller (the CLI among them) has already chosen and checked the value it passes.
   */
  checkGiven?: boolean;
}

/**
 * The value to use for `kind`: the configured one (with `checkGiven`, a weak value or a file others can read is
 * warned about loudly), or the generated one from the user-only file, created on first use with its path shown once.
 *
 * @throws GaterError `invalid_argument` when the generated file cannot be created or read.
 */
export function credentialOrGenerated(kind: CredentialKind, given: CredentialChoice, log: LogFn): string {
  const c = GENERATED_FILES[kind];
  const names = given.names ?? API_NAMES[kind];
  if (given.value !== undefined && given.value !== '') {
    if (!given.checkGiven) return given.value;
    const bits = estimateEntropyBits(given.value);
    if (bits < MIN_SECRET_BITS)
      log(
        'warn',
        `🏭 [System] ⚠️  the ${c.label} is weak (about ${bits} bits, under ${MIN_SECRET_BITS}): whoever can reach a node can ` +
          `guess it. Leave ${names.value} unset to use a generated one, or make one with: openssl rand -base64 32`,
      );
    if (given.file !== undefined && readableByOthers(given.file))
      log(
        'warn',
        `🏭 [System] ⚠️  ${given.file} holds the ${c.label} and other users can read it: chmod 600 ${given.file}`,
      );
    return given.value;
  }
  const generated = loadOrCreateCredential(kind, given.dir, names);
  if (generated.created)
    log(
      'warn',
      `🏭 [System] no ${c.label} configured: generated a random one in ${generated.path} (readable by you only). ` +
        `Everything you start on this machine uses it; elsewhere pass the same file with ${names.file}.`,
    );
  else log('debug', `🏭 [System] using the ${c.label} in generated file ${generated.path}`);
  return generated.value;
}
