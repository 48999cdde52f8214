/**
 * Certificates for TLS tests, made at test time by /usr/bin/openssl (EC P-256, valid 2 days): a CA, a node and a
 * client certificate it signs, and a stranger certificate signed by a second, unrelated CA.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertFiles {
  cert: string;
  key: string;
  ca: string;
}

export interface TestPki {
  dir: string;
  /** The CA's certificate (what --tls-ca is given). */
  ca: string;
  /** The unrelated CA's certificate. */
  otherCa: string;
  node: CertFiles;
  client: CertFiles;
  /** A client certificate signed by the other CA, paired with the real CA as its --tls-ca. */
  stranger: CertFiles;
  remove(): void;
}

const OPENSSL = '/usr/bin/openssl';
const ssl = (args: string[]): void => void execFileSync(OPENSSL, args, { stdio: 'pipe' });

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'ex-esdb-tls-'));
  const p = (name: string): string => join(dir, name);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const makeCa = (name: string): void =>
    ssl([
      'req',
      '-x509',
      ...newKey,
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.crt`),
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ]);
  const makeCert = (name: string, ca: string): void => {
    ssl(['req', ...newKey, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${name}`]);
    ssl([
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p(`${ca}.crt`),
      '-CAkey',
      p(`${ca}.key`),
      '-CAcreateserial',
      '-out',
      p(`${name}.crt`),
      '-days',
      '2',
    ]);
  };
  makeCa('ca');
  makeCa('other_ca');
  makeCert('node', 'ca');
  makeCert('client', 'ca');
  makeCert('stranger', 'other_ca');
  const files = (name: string, ca = 'ca'): CertFiles => ({
    cert: p(`${name}.crt`),
    key: p(`${name}.key`),
    ca: p(`${ca}.crt`),
  });
  return {
    dir,
    ca: p('ca.crt'),
    otherCa: p('other_ca.crt'),
    node: files('node'),
    client: files('client'),
    stranger: files('stranger'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The `EX_ESDB_TLS_*` variables for a set of files. */
export function tlsEnv(f: CertFiles): Record<string, string> {
  return { EX_ESDB_TLS_CERT: f.cert, EX_ESDB_TLS_KEY: f.key, EX_ESDB_TLS_CA: f.ca };
}
