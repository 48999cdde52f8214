import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The cookie Erlang itself would use when none is given: `~/.erlang.cookie`, trimmed of surrounding whitespace
 * (a trailing newline from an editor is not part of the cookie). Undefined when the file is missing or empty.
 */
export function defaultErlangCookie(home: string = homedir()): string | undefined {
  try {
    const c = readFileSync(join(home, '.erlang.cookie'), 'latin1').trim();
    return c === '' ? undefined : c;
  } catch {
    return undefined;
  }
}
