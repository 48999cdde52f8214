import { GaterError } from '../errors.js';

/** An Erlang node name split into its parts. */
export interface NodeName {
  /** `alive@host`, exactly as the node knows itself. */
  full: string;
  /** The part before `@` (what EPMD knows it by). */
  alive: string;
  host: string;
}

/** Parses `alive@host`; both parts non-empty, no spaces. */
export function parseNodeName(name: string, what = 'BEAM node'): NodeName {
  const m = /^([^@\s]+)@([^@\s]+)$/.exec(name);
  if (!m) {
    throw new GaterError('invalid_argument', `${what} must look like name@host (e.g. ex_esdb@node0), got "${name}"`, {
      name,
    });
  }
  return { full: name, alive: m[1]!, host: m[2]! };
}
