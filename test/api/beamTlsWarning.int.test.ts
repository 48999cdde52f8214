/**
 * TLS options are for links to our own store nodes: a beam-mode gateway, which links over Erlang distribution,
 * says loudly that they do not apply instead of seeming to encrypt.
 */
import { describe, expect, it } from 'vitest';
import { startGater } from '../../src/index.js';

describe('beam mode with TLS options', () => {
  it('warns that Erlang distribution links are not encrypted by them', async () => {
    const lines: string[] = [];
    const g = await startGater({
      beam: ['nobody_here@127.0.0.1'],
      cookie: 'beam_tls_warning_cookie_4f1c9e',
      tls: { cert: 'unused', key: 'unused', ca: 'unused' },
      timeoutMs: 500,
      log: (level, msg) => lines.push(`${level} ${msg}`),
    });
    await g.stop();
    expect(lines.filter((l) => /^warn .*TLS.*Erlang distribution/.test(l))).toHaveLength(1);
  });
});
