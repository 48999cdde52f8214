/**
 * What the gater API answers over `rex`, turned into values or typed GaterErrors (BEAM_BRIDGE.md §1.2-1.3):
 * `{ok, V}`, `{error, Reason}`, and `{badrpc, R}` for exceptions and exits (GenServer.call wraps worker exits).
 */
import { GaterError } from '../errors.js';
import { Atom, Tuple, type Term } from '../wire/etf.js';
import { termText } from './termText.js';

const isAtom = (t: Term | undefined, name?: string): t is Atom =>
  t instanceof Atom && (name === undefined || t.name === name);

function tagged(t: Term, tag: string): Term | undefined {
  return t instanceof Tuple && t.elements.length === 2 && isAtom(t.elements[0], tag) ? t.elements[1] : undefined;
}

/** Walks the nested exit reason for a recognisable cause (timeout, noproc, the API's "no workers" error). */
function findCause(t: Term, depth = 0): 'timeout' | 'no_workers' | 'noproc' | 'undef_api' | undefined {
  if (depth > 12) return undefined;
  if (isAtom(t, 'timeout')) return 'timeout';
  if (isAtom(t, 'noproc') || isAtom(t, 'nodedown')) return 'noproc';
  if (t instanceof Uint8Array && Buffer.from(t).toString('utf8').startsWith('No gateway workers')) return 'no_workers';
  if (t instanceof Tuple) {
    const [first, second] = t.elements;
    if (isAtom(first, 'undef') && Array.isArray(second)) {
      const top = second[0];
      if (top instanceof Tuple && isAtom(top.elements[0], 'Elixir.ExESDBGater.API')) return 'undef_api';
    }
    for (const e of t.elements) {
      const c = findCause(e, depth + 1);
      if (c) return c;
    }
  }
  if (Array.isArray(t)) {
    for (const e of t as readonly Term[]) {
      const c = findCause(e, depth + 1);
      if (c) return c;
    }
  }
  return undefined;
}

/** A `{badrpc, Reason}` as a GaterError. */
export function badRpcError(node: string, what: string, reason: Term): GaterError {
  const text = termText(reason);
  if (isAtom(reason, 'nodedown'))
    return new GaterError('connection_closed', `${node} is down (badrpc nodedown) during ${what}`, { node });
  switch (findCause(reason)) {
    case 'timeout':
      return new GaterError('timeout', `${node} timed out inside the cluster during ${what}: ${text}`, { node });
    case 'no_workers':
      return new GaterError(
        'no_workers',
        `${node} has no ExESDB gateway workers registered (cluster starting, or no store running): ${text}`,
        { node },
      );
    case 'undef_api':
      // Not an ExESDB node (or the gater is not loaded): another node may serve the request.
      return new GaterError(
        'store_not_found',
        `${node} does not run ExESDB Gater (ExESDBGater.API is not loaded there); link to an ExESDB node`,
        { node },
      );
    default:
      return new GaterError('internal', `${node} raised during ${what}: ${text}`, { node, reason: text });
  }
}

/**
 * The value of an `{ok, V}` reply. `{error, R}` goes to `onError` (op-specific codes) and then to a generic
 * `internal` error; `{badrpc, R}` to {@link badRpcError}.
 */
export function okValue(
  node: string,
  what: string,
  reply: Term,
  onError?: (reason: Term) => GaterError | undefined,
): Term {
  const ok = tagged(reply, 'ok');
  if (ok !== undefined) return ok;
  const bad = tagged(reply, 'badrpc');
  if (bad !== undefined) throw badRpcError(node, what, bad);
  const err = tagged(reply, 'error');
  if (err !== undefined) {
    throw onError?.(err) ?? new GaterError('internal', `${node} answered ${what} with {error, ${termText(err)}}`);
  }
  if (isAtom(reply, 'ok')) return reply;
  throw new GaterError('internal', `${node} answered ${what} with an unexpected ${termText(reply)}`);
}

/** `{wrong_expected_version, Current}` (or the writer's bare atom) -> wrong_expected_version with `current`. */
export function appendError(expected: unknown): (reason: Term) => GaterError | undefined {
  return (reason) => {
    const current = tagged(reason, 'wrong_expected_version');
    if (typeof current === 'number')
      return new GaterError(
        'wrong_expected_version',
        `wrong expected version: expected ${String(expected)}, stream is at ${current}; read the stream and retry with its version`,
        { expected, current },
      );
    if (isAtom(reason, 'wrong_expected_version'))
      return new GaterError(
        'wrong_expected_version',
        `wrong expected version: expected ${String(expected)}, another writer appended first; read the stream and retry`,
        { expected },
      );
    return undefined;
  };
}

/** Read parameter errors (`invalid_start_version`, `invalid_count`, with or without the value). */
export function readError(reason: Term): GaterError | undefined {
  const name = isAtom(reason)
    ? reason.name
    : reason instanceof Tuple && isAtom(reason.elements[0])
      ? reason.elements[0].name
      : '';
  if (name === 'invalid_start_version' || name === 'invalid_count')
    return new GaterError(name, `${name.replace(/_/g, ' ')}: ${termText(reason)}`);
  return undefined;
}
