/**
 * The heartbeat framing against real Erlang/OTP (term_to_binary + crypto_one_time AES-256-CBC, PKCS#7).
 * One escript run answers every request; see test/erlang/heartbeat_probe.escript. Needs `escript` on PATH
 * and fails (never skips) without it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ERLANG_MISSING, arg, runHeartbeatProbe, type ProbeAnswer } from '../../../test/erlang/heartbeatProbe.js';
import { decodeTerm, encodeTerm, termEquals } from '../wire/etf.js';
import { decodeHeartbeat, encodeHeartbeat, type HeartbeatInfo } from './packet.js';
import { sampleTerm as sample } from '../../../test/erlang/sampleTerm.js';

const SECRET = 'dev_cluster_secret';
const OTHER = 'not_the_secret';
const NODE = 'a@127.0.0.1';
const info: HeartbeatInfo = {
  v: 1,
  role: 'gateway',
  host: '127.0.0.1',
  port: 0,
  stores: ['reg_gh', 'ü'],
  incarnation: 1712345678901,
};
const json = JSON.stringify(info);

const tsPackets = {
  ts_enc: encodeHeartbeat({ node: NODE, info }, { secret: SECRET }),
  ts_plain: encodeHeartbeat({ node: NODE, info }),
  ts_wrong: encodeHeartbeat({ node: NODE, info }, { secret: OTHER }),
  // What our processes send: authenticated (seq, t and mac inside ts).
  ts_auth: encodeHeartbeat({ node: NODE, info, seq: 3, t: 1712345679000 }, { secret: SECRET }),
};

let answers: Map<string, ProbeAnswer>;

function answer(id: string, tag: string): ProbeAnswer {
  const a = answers.get(id);
  expect(a, `no answer for ${id}`).toBeDefined();
  expect(a?.tag, `${id}: ${a?.rest}`).toBe(tag);
  return a as ProbeAnswer;
}

beforeAll(async () => {
  answers = await runHeartbeatProbe([
    `encrypt erl_enc ${arg(SECRET)} ${arg(NODE)} ${arg(json)}`,
    `encrypt erl_plain - ${arg(NODE)} ${arg(json)}`,
    `encrypt erl_beam ${arg(SECRET)} ${arg('beam@10.1.2.3')} -`,
    `encrypt erl_wrong ${arg(OTHER)} ${arg(NODE)} ${arg(json)}`,
    `decrypt ts_enc ${arg(SECRET)} ${arg(tsPackets.ts_enc)}`,
    `decrypt ts_plain - ${arg(tsPackets.ts_plain)}`,
    `decrypt ts_wrong ${arg(SECRET)} ${arg(tsPackets.ts_wrong)}`,
    `decrypt ts_auth ${arg(SECRET)} ${arg(tsPackets.ts_auth)}`,
    `sample s`,
    `compare c ${arg(encodeTerm(sample))}`,
  ]);
});

describe('heartbeat framing against Erlang/OTP', () => {
  it('erlang -> ts - an encrypted heartbeat decodes to the same node and info', () => {
    const packet = Buffer.from(answer('erl_enc', 'packet').fields[0] as string, 'hex');
    expect(packet.length % 16).toBe(0);
    expect(decodeHeartbeat(packet, { secret: SECRET })).toEqual({ kind: 'ours', node: NODE, info });
  });

  it('erlang -> ts - a plaintext heartbeat decodes too', () => {
    const packet = Buffer.from(answer('erl_plain', 'packet').fields[0] as string, 'hex');
    expect(packet.subarray(0, 11).toString()).toBe('heartbeat::');
    expect(decodeHeartbeat(packet)).toEqual({ kind: 'ours', node: NODE, info });
  });

  it('erlang -> ts - a BEAM heartbeat (#{node => ...} only) is foreign', () => {
    const packet = Buffer.from(answer('erl_beam', 'packet').fields[0] as string, 'hex');
    expect(decodeHeartbeat(packet, { secret: SECRET })).toEqual({ kind: 'foreign', node: 'beam@10.1.2.3' });
  });

  it('erlang -> ts - the wrong secret is a bad packet', () => {
    const packet = Buffer.from(answer('erl_wrong', 'packet').fields[0] as string, 'hex');
    expect(decodeHeartbeat(packet, { secret: SECRET }).kind).toBe('bad');
  });

  it('ts -> erlang - decrypts, unpads (strict PKCS#7) and binary_to_terms to the same map', () => {
    for (const id of ['ts_enc', 'ts_plain']) {
      const a = answer(id, 'decoded');
      const [size, nodeKind, nodeHex, tsKind, tsHex] = a.fields;
      expect([size, nodeKind, Buffer.from(nodeHex as string, 'hex').toString(), tsKind]).toEqual([
        '2',
        'atom',
        NODE,
        'binary',
      ]);
      expect(JSON.parse(Buffer.from(tsHex as string, 'hex').toString('utf8'))).toEqual(info);
      // Erlang's own printout of the term, parsed back here.
      const printed = a.fields.slice(5).join(' ');
      expect(printed).toBe(`#{node => '${NODE}',ts => <<${[...Buffer.from(json)].join(',')}>>}`);
    }
  });

  it('ts -> erlang - an authenticated heartbeat is still #{node, ts} to Erlang, the extra fields inside ts', () => {
    const [size, nodeKind, nodeHex, tsKind, tsHex] = answer('ts_auth', 'decoded').fields;
    expect([size, nodeKind, Buffer.from(nodeHex as string, 'hex').toString(), tsKind]).toEqual([
      '2',
      'atom',
      NODE,
      'binary',
    ]);
    const ts = JSON.parse(Buffer.from(tsHex as string, 'hex').toString('utf8')) as Record<string, unknown>;
    expect(ts).toMatchObject({ ...info, seq: 3, t: 1712345679000, mac: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('ts -> erlang - the wrong secret fails in Erlang too', () => {
    expect(answers.get('ts_wrong')?.tag).toBe('error');
  });

  it('etf - term_to_binary output of every supported kind decodes to the TS twin', () => {
    const r = decodeTerm(Buffer.from(answer('s', 'etf').fields[0] as string, 'hex'));
    expect(r.ok && termEquals(r.term, sample), r.ok ? 'terms differ' : r.error).toBe(true);
  });

  it('etf - our encoding of the TS twin is =:= to the Erlang term', () => {
    expect(answer('c', 'equal').fields[0]).toBe('true');
  });

  it('missing Erlang - fails with an install hint instead of skipping', async () => {
    await expect(runHeartbeatProbe(['sample x'], { escript: 'escript-not-installed-here' })).rejects.toThrow(
      ERLANG_MISSING,
    );
    expect(ERLANG_MISSING).toMatch(/install erlang-base/);
  });
});
