import { GaterError } from './errors.js';

/** `host:port` taken apart (IPv6 in brackets, `[::1]:7001`); throws `invalid_argument` naming `what` otherwise. */
export function parseHostPort(v: string, what: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535)
    throw new GaterError('invalid_argument', `${what} expects host:port (e.g. 127.0.0.1:7001), got "${v}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}
