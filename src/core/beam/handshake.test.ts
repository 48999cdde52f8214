import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../wire/frame.js';
import { encodeTerm, tuple, atom, Pid, decodeTermAt, termEquals } from '../wire/etf.js';
import { parsePort2Resp } from './epmd.js';
import { OUR_FLAGS, DFLAG, PASS_THROUGH } from './flags.js';
import { digest, sendNameMessage } from './handshake.js';
import { parseNodeName } from './nodeName.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('distribution wire pieces', () => {
  it('flags - erl_interface preferred set, hidden, no spawn/atom cache', () => {
    expect(OUR_FLAGS).toBe(0x4_0707_4f9cn);
    expect(OUR_FLAGS & DFLAG.PUBLISHED).toBe(0n);
    expect(OUR_FLAGS & DFLAG.SPAWN).toBe(0n);
    expect(OUR_FLAGS & DFLAG.DIST_HDR_ATOM_CACHE).toBe(0n);
  });

  it('send_name - N, 64-bit flags, creation, name length, name', () => {
    expect(sendNameMessage('a@b', 0x4_0707_4f9cn, 0x1234abcd)).toEqual(
      hex('0012 4e 0000000407074f9c 1234abcd 0003 614062'),
    );
  });

  it('digest - MD5 of the cookie and the unsigned decimal challenge', () => {
    // erlang:md5("cookie" ++ integer_to_list(4294967295)), printed by OTP 25
    expect(digest('cookie', 0xffffffff).toString('hex')).toBe('de56ff9d11b071905bce597a85d67f4f');
    expect(digest('cookie', -1)).toEqual(digest('cookie', 0xffffffff));
  });

  it('epmd - PORT2_RESP parsed field by field; short and error answers', () => {
    const resp = hex('77 00 1f90 4d 00 0006 0005 0003 616263 0000');
    expect(parsePort2Resp(resp)).toEqual({
      port: 0x1f90,
      nodeType: 77,
      protocol: 0,
      highestVersion: 6,
      lowestVersion: 5,
      name: 'abc',
    });
    for (let i = 0; i < resp.length; i++) expect(parsePort2Resp(resp.subarray(0, i))).toBe('incomplete');
    expect(parsePort2Resp(hex('77 01'))).toBe('not_registered');
    expect(parsePort2Resp(hex('41 00'))).toBe('garbage');
  });

  it('node names - alive@host required', () => {
    expect(parseNodeName('ex_esdb@node0')).toEqual({ full: 'ex_esdb@node0', alive: 'ex_esdb', host: 'node0' });
    for (const bad of ['nohost', '@h', 'a@', 'a@b@c', 'a b@c']) expect(() => parseNodeName(bad)).toThrow(/name@host/);
  });

  it('packets - ticks and pass-through packets decode the same however the stream is split', () => {
    const pid = new Pid('x@y', 5, 0, 77);
    const packet = (ctl: ReturnType<typeof tuple>, msg?: unknown): Buffer => {
      const body = Buffer.concat([
        Buffer.from([PASS_THROUGH]),
        encodeTerm(ctl),
        ...(msg === undefined ? [] : [encodeTerm(msg as never)]),
      ]);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(body.length);
      return Buffer.concat([head, body]);
    };
    const tick = Buffer.alloc(4);
    const stream = Buffer.concat([
      tick,
      packet(tuple(2, atom(''), pid), tuple(atom('rex'), [1, 2, 3])),
      tick,
      packet(tuple(19, pid, pid, 1)),
      tick,
    ]);
    const expected = (frames: Buffer[]) => {
      expect(frames.map((f) => f.length === 0)).toEqual([true, false, true, false, true]);
      const ctl = decodeTermAt(frames[1]!, 1, { distribution: true });
      expect(ctl.ok && termEquals(ctl.term, tuple(2, atom(''), pid))).toBe(true);
      const msg = ctl.ok ? decodeTermAt(frames[1]!, ctl.end, { distribution: true }) : undefined;
      expect(msg?.ok && termEquals(msg.term, tuple(atom('rex'), [1, 2, 3]))).toBe(true);
    };
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b += 7) {
        const d = new FrameDecoder<Buffer>(1024, (p) => Buffer.from(p));
        expected([...d.push(stream.subarray(0, a)), ...d.push(stream.subarray(a, b)), ...d.push(stream.subarray(b))]);
      }
    }
  });
});
