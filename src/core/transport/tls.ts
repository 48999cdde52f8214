/**
 * Optional mutual TLS on links (DESIGN §5 trust model): confidentiality under the cookie handshake and the session
 * MAC, which stay as they are. The node requires a client certificate signed by the CA; the gateway checks the
 * node's certificate against the same CA. Certificates are checked against the CA only, not against host names:
 * nodes are dialled by whatever address gossip or a seed gives, and the cookie handshake proves the node's name.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import { GaterError } from '../errors.js';

/** PEM contents (as Node's `tls` takes them): this side's certificate and key, and the CA that signs the peers'. */
export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  ca: string | Buffer;
}

/** Paths of the three PEM files, and what to call each one in an error (a flag, a variable). */
export interface TlsFiles {
  cert: string;
  key: string;
  ca: string;
}

/**
 * Reads the three PEM files.
 *
 * @param names what to call each file in messages (default `cert`, `key`, `ca`).
 * @throws GaterError `invalid_argument` naming the file that is missing, unreadable or empty.
 */
export function readTlsFiles(files: TlsFiles, names: TlsFiles = { cert: 'cert', key: 'key', ca: 'ca' }): TlsOptions {
  const read = (which: keyof TlsFiles): Buffer => {
    const path = files[which];
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      throw new GaterError('invalid_argument', `${names[which]}: cannot read ${path} (${code})`, { path });
    }
    if (data.length === 0) throw new GaterError('invalid_argument', `${names[which]}: ${path} is empty`, { path });
    return data;
  };
  return { cert: read('cert'), key: read('key'), ca: read('ca') };
}

/**
 * The secure context of one side: checks that the PEMs parse and that the key belongs to the certificate, so a
 * mistake is reported once, at start, rather than as a failed handshake per connection.
 *
 * @throws GaterError `invalid_argument` saying which part is wrong.
 */
export function tlsContext(o: TlsOptions): SecureContext {
  for (const part of ['cert', 'key', 'ca'] as const)
    if (!looksLikePem(o[part]))
      throw new GaterError('invalid_argument', `TLS ${part} is not PEM (expected "-----BEGIN ...")`);
  try {
    return createSecureContext({ cert: o.cert, key: o.key, ca: o.ca, minVersion: 'TLSv1.2' });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const hint = /key values mismatch/i.test(msg)
      ? 'the key does not belong to the certificate'
      : /bad decrypt|bad password|passphrase/i.test(msg)
        ? 'the key is encrypted (give an unencrypted key)'
        : msg;
    throw new GaterError('invalid_argument', `TLS certificate, key or CA refused: ${hint}`);
  }
}

function looksLikePem(v: string | Buffer): boolean {
  return (typeof v === 'string' ? v : v.toString('latin1')).includes('-----BEGIN ');
}

/** Certificate verification failures OpenSSL reports on the side that checks the peer's certificate. */
const UNTRUSTED_CERT = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);

/**
 * A link that failed below the cookie handshake, told in terms of what to check. `undefined` when `code` is not a
 * TLS failure (then the caller's own message stands).
 *
 * @param code the socket error's code (`ERR_SSL_...`, an X509 verification code, `ECONNRESET`).
 * @param where `host:port` of the node.
 */
export function tlsFailureMessage(code: string | undefined, where: string): string | undefined {
  if (code === undefined) return undefined;
  if (UNTRUSTED_CERT.has(code))
    return `TLS: the certificate of ${where} is not trusted (${code}): is it signed by the CA given with --tls-ca?`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG')
    return `TLS: ${where} does not speak TLS (${code}): is the node running without --tls-cert/--tls-key/--tls-ca?`;
  if (/^ERR_SSL_.*ALERT/.test(code))
    return `TLS: ${where} refused our certificate (${code}): is it signed by the CA the node trusts?`;
  if (code.startsWith('ERR_SSL_')) return `TLS handshake with ${where} failed (${code})`;
  return undefined;
}
