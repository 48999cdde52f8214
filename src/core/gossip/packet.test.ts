import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { atom, encodeTerm, termMap } from '../wire/etf.js';
import {
  HEARTBEAT_PRELUDE,
  decodeHeartbeat,
  encodeHeartbeat,
  type DecodedHeartbeat,
  type HeartbeatInfo,
} from './packet.js';
import { heartbeatMac } from './heartbeatAuth.js';

const info: HeartbeatInfo = {
  v: 1,
  role: 'node',
  host: '127.0.0.1',
  port: 4100,
  stores: ['reg_gh'],
  incarnation: 1700000000000,
};
const SECRET = 'dev_cluster_secret';

const plainPacket = (term: Parameters<typeof encodeTerm>[0]): Buffer =>
  Buffer.concat([HEARTBEAT_PRELUDE, encodeTerm(term)]);

function encryptRaw(plain: Buffer, secret: string): Buffer {
  const iv = Buffer.alloc(16, 7);
  const c = createCipheriv('aes-256-cbc', createHash('sha256').update(secret).digest(), iv);
  return Buffer.concat([iv, c.update(plain), c.final()]);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const reasonOf = (d: DecodedHeartbeat): string => (d.kind === 'bad' ? d.reason : d.kind);

describe('heartbeat packets', () => {
  it('plaintext - is "heartbeat::" ++ ETF and decodes as ours', () => {
    const p = encodeHeartbeat({ node: 'n1@127.0.0.1', info });
    expect(p.subarray(0, 11).toString()).toBe('heartbeat::');
    expect(p[11]).toBe(131);
    expect(decodeHeartbeat(p)).toEqual({ kind: 'ours', node: 'n1@127.0.0.1', info });
  });

  it('encrypted - IV plus whole AES blocks, fresh IV each time, decodes only with the secret', () => {
    const a = encodeHeartbeat({ node: 'n1@127.0.0.1', info }, { secret: SECRET });
    const b = encodeHeartbeat({ node: 'n1@127.0.0.1', info }, { secret: SECRET });
    expect(a.length % 16).toBe(0);
    expect(a.subarray(0, 16).equals(b.subarray(0, 16))).toBe(false);
    expect(a.includes('heartbeat::')).toBe(false);
    expect(decodeHeartbeat(a, { secret: SECRET })).toEqual({ kind: 'ours', node: 'n1@127.0.0.1', info });
    expect(['decrypt_failed', 'no_prelude']).toContain(reasonOf(decodeHeartbeat(a, { secret: 'other' })));
    expect(reasonOf(decodeHeartbeat(a))).toBe('no_prelude');
    expect(reasonOf(decodeHeartbeat(encodeHeartbeat({ node: 'n1@h', info }), { secret: SECRET }))).toBe(
      'decrypt_failed',
    );
  });

  it('encrypted - reads a packet built by hand the libcluster way', () => {
    const plain = plainPacket(termMap([[atom('node'), atom('beam@10.0.0.1')]]));
    expect(decodeHeartbeat(encryptRaw(plain, 's3cret'), { secret: 's3cret' })).toEqual({
      kind: 'foreign',
      node: 'beam@10.0.0.1',
    });
  });

  it('foreign - a map with only node is a BEAM heartbeat, in any atom encoding', () => {
    expect(decodeHeartbeat(encodeHeartbeat({ node: 'beam@host' }))).toEqual({ kind: 'foreign', node: 'beam@host' });
    // OTP 25 term_to_binary(#{node => a@b}) uses ATOM_EXT (100).
    const otp25 = Buffer.concat([
      HEARTBEAT_PRELUDE,
      Buffer.from('837400000001640004' + '6e6f6465' + '640003' + '614062', 'hex'),
    ]);
    expect(decodeHeartbeat(otp25)).toEqual({ kind: 'foreign', node: 'a@b' });
  });

  it('bad - classifies every kind of wrong content', () => {
    const ts = (json: string) =>
      plainPacket(
        termMap([
          [atom('node'), atom('n@h')],
          [atom('ts'), Buffer.from(json)],
        ]),
      );
    const cases: Array<[string, Buffer, string]> = [
      ['empty', Buffer.alloc(0), 'no_prelude'],
      ['no prelude', Buffer.from('hello'), 'no_prelude'],
      ['prelude only', Buffer.from('heartbeat::'), 'bad_term'],
      ['list term', plainPacket([1, 2]), 'not_a_heartbeat'],
      ['no node', plainPacket(termMap([[atom('x'), atom('y')]])), 'not_a_heartbeat'],
      ['node as binary', plainPacket(termMap([[atom('node'), Buffer.from('n@h')]])), 'not_a_heartbeat'],
      [
        'ts as atom',
        plainPacket(
          termMap([
            [atom('node'), atom('n@h')],
            [atom('ts'), atom('x')],
          ]),
        ),
        'bad_info',
      ],
      ['ts not json', ts('{'), 'bad_info'],
      [
        'ts not utf8',
        plainPacket(
          termMap([
            [atom('node'), atom('n@h')],
            [atom('ts'), Buffer.from([0xff])],
          ]),
        ),
        'bad_info',
      ],
      ['ts null', ts('null'), 'bad_info'],
      ['v2', ts(JSON.stringify({ ...info, v: 2 })), 'unsupported_version'],
      ['bad role', ts(JSON.stringify({ ...info, role: 'king' })), 'bad_info'],
      ['bad port', ts(JSON.stringify({ ...info, port: 70000 })), 'bad_info'],
      ['bad stores', ts(JSON.stringify({ ...info, stores: 'reg_gh' })), 'bad_info'],
      ['bad store name', ts(JSON.stringify({ ...info, stores: [1] })), 'bad_info'],
      ['bad incarnation', ts(JSON.stringify({ ...info, incarnation: -1 })), 'bad_info'],
      ['too large', Buffer.alloc(20_000), 'too_large'],
    ];
    for (const [name, packet, reason] of cases) expect(reasonOf(decodeHeartbeat(packet)), name).toBe(reason);
  });

  it('bad - unknown extra ts fields are ignored, not kept', () => {
    const p = plainPacket(
      termMap([
        [atom('node'), atom('n@h')],
        [atom('ts'), Buffer.from(JSON.stringify({ ...info, extra: 'x' }))],
      ]),
    );
    expect(decodeHeartbeat(p)).toEqual({ kind: 'ours', node: 'n@h', info });
  });

  it('encode - refuses invalid info and oversized packets', () => {
    expect(() => encodeHeartbeat({ node: '', info })).toThrow(/node name/);
    expect(() => encodeHeartbeat({ node: 'n@h', info: { ...info, port: -1 } })).toThrow(/port/);
    expect(() =>
      encodeHeartbeat({ node: 'n@h', info: { ...info, stores: ['s'.repeat(200)] } }, { maxPacketBytes: 100 }),
    ).toThrow(/exceeds/);
  });

  it('truncation - every prefix of a packet is bad, plaintext and encrypted', () => {
    for (const secret of [undefined, SECRET]) {
      const p = encodeHeartbeat({ node: 'n1@127.0.0.1', info }, { secret });
      for (let i = 0; i < p.length; i++) {
        expect(decodeHeartbeat(p.subarray(0, i), { secret }).kind, `${secret ? 'enc' : 'plain'} @${i}`).toBe('bad');
      }
    }
  });

  it('fuzz - random bytes and mutated packets never throw (20k cases)', () => {
    const rand = rng(99);
    const bases = [
      encodeHeartbeat({ node: 'n1@h', info }),
      encodeHeartbeat({ node: 'n1@h', info }, { secret: SECRET }),
    ];
    const kinds = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const secret = i % 2 ? SECRET : undefined;
      let b: Buffer;
      if (i % 4 < 2) {
        b = Buffer.from(bases[i % 2] as Buffer);
        for (let k = 0; k < 3; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      } else {
        b = Buffer.alloc(Math.floor(rand() * 300));
        for (let j = 0; j < b.length; j++) b[j] = Math.floor(rand() * 256);
        if (i % 8 === 2) HEARTBEAT_PRELUDE.copy(b);
      }
      kinds.add(decodeHeartbeat(b, { secret }).kind);
    }
    expect(kinds.has('bad')).toBe(true);
  });
});

describe('authenticated heartbeats', () => {
  const info: HeartbeatInfo = {
    v: 1,
    role: 'node',
    host: '127.0.0.1',
    port: 7001,
    stores: ['reg_gh'],
    incarnation: 42,
  };
  const SECRET_A = 'auth_secret_for_tests';

  it('carries seq, t and a MAC inside ts that checks out under the secret', () => {
    const p = encodeHeartbeat({ node: 'n1@127.0.0.1', info, seq: 7, t: 1_700_000_000_000 }, { secret: SECRET_A });
    expect(decodeHeartbeat(p, { secret: SECRET_A })).toEqual({
      kind: 'ours',
      node: 'n1@127.0.0.1',
      info,
      auth: { seq: 7, t: 1_700_000_000_000, valid: true },
    });
  });

  it('a changed field or another node name with the same MAC does not check out; no MAC is no auth', () => {
    const key = createHash('sha256').update(SECRET_A).digest();
    const packet = (node: string, ts: string): Buffer => {
      const plain = Buffer.concat([
        HEARTBEAT_PRELUDE,
        encodeTerm(
          termMap([
            [atom('node'), atom(node)],
            [atom('ts'), Buffer.from(ts)],
          ]),
        ),
      ]);
      const iv = Buffer.alloc(16, 7);
      const c = createCipheriv('aes-256-cbc', key, iv);
      return Buffer.concat([iv, c.update(plain), c.final()]);
    };
    const signed = JSON.stringify({ ...info, seq: 1, t: 5 });
    const ts = `${signed.slice(0, -1)},"mac":"${heartbeatMac(SECRET_A, 'n1@h', Buffer.from(signed))}"}`;
    const authOf = (p: Buffer) => (decodeHeartbeat(p, { secret: SECRET_A }) as { auth?: { valid: boolean } }).auth;
    expect(authOf(packet('n1@h', ts))).toEqual({ seq: 1, t: 5, valid: true });
    expect(authOf(packet('n1@h', ts.replace('"port":7001', '"port":7002')))?.valid).toBe(false);
    expect(authOf(packet('n1@h', ts.replace('"seq":1', '"seq":9')))?.valid).toBe(false);
    expect(authOf(packet('n2@h', ts))?.valid).toBe(false);
    expect(authOf(packet('n1@h', JSON.stringify(info)))).toBeUndefined();
    expect(
      decodeHeartbeat(packet('n1@h', ts.replace(/"mac":"[0-9a-f]+"/, '"mac":"zz"')), { secret: SECRET_A }),
    ).toMatchObject({ kind: 'bad', reason: 'bad_info' });
  });

  it('node names must be name@host in printable ASCII', () => {
    expect(() => encodeHeartbeat({ node: 'no-at-sign', info })).toThrow(/name@host/);
    expect(() => encodeHeartbeat({ node: 'a@b\nINFO forged', info })).toThrow(/name@host/);
    const raw = Buffer.concat([HEARTBEAT_PRELUDE, encodeTerm(termMap([[atom('node'), atom('x@y\nz')]]))]);
    expect(decodeHeartbeat(raw)).toEqual({ kind: 'bad', reason: 'bad_name' });
  });
});
