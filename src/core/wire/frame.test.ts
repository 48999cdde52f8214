import { describe, expect, it } from 'vitest';
import { isGaterError } from '../errors.js';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, encodeFrameWithRoom, FrameDecoder } from './frame.js';

const values: unknown[] = [
  { hello: { node: 'a@127.0.0.1', nonce: '00'.repeat(16) } },
  { id: 1, op: 'append', args: { stream: 'café-☕', events: [{ eventType: '🌱', data: { t: 21.5 } }] } },
  [],
  'just a string',
  42,
  null,
  { emoji: '𝄞𝄞𝄞', nested: { deep: [1, [2, [3]]] } },
];

function decodeAll(decoder: FrameDecoder, parts: Uint8Array[]): unknown[] {
  return parts.flatMap((p) => decoder.push(p));
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('encodeFrame', () => {
  it('writes a 4-byte big-endian length of the UTF-8 JSON', () => {
    const frame = encodeFrame({ s: 'é' });
    const json = Buffer.from(JSON.stringify({ s: 'é' }), 'utf8');
    expect(frame.readUInt32BE(0)).toBe(json.length);
    expect(frame.subarray(4).equals(json)).toBe(true);
  });

  it('refuses a payload over the limit without encoding a frame', () => {
    const e = caught(() => encodeFrame({ blob: 'x'.repeat(2000) }, 1000));
    expect(isGaterError(e, 'payload_too_large')).toBe(true);
    // multi-byte characters count as bytes, not characters
    expect(
      isGaterError(
        caught(() => encodeFrame('é'.repeat(600), 1000)),
        'payload_too_large',
      ),
    ).toBe(true);
    expect(encodeFrame('x'.repeat(990), 1000).length).toBe(4 + 992);
  });

  it('refuses values without a JSON form as invalid_argument', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const v of [undefined, () => 1, 10n, cyclic]) {
      expect(
        isGaterError(
          caught(() => encodeFrame(v)),
          'invalid_argument',
        ),
      ).toBe(true);
    }
  });

  it('with room: the same header and JSON, the spare bytes between them, the same limits and refusals', () => {
    for (const v of values) {
      const plain = encodeFrame(v);
      const roomy = encodeFrameWithRoom(v, DEFAULT_MAX_FRAME_BYTES, 32);
      expect(roomy.length).toBe(plain.length + 32);
      expect(roomy.readUInt32BE(0)).toBe(plain.length - 4);
      expect(roomy.subarray(4 + 32).equals(plain.subarray(4))).toBe(true);
    }
    expect(
      isGaterError(
        caught(() => encodeFrameWithRoom('é'.repeat(600), 1000, 32)),
        'payload_too_large',
      ),
    ).toBe(true);
    expect(encodeFrameWithRoom('x'.repeat(990), 1000, 32).length).toBe(4 + 32 + 992);
    expect(
      isGaterError(
        caught(() => encodeFrameWithRoom(10n, 1000, 32)),
        'invalid_argument',
      ),
    ).toBe(true);
  });

  it('defaults the limit to 16 MiB', () => {
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(16 * 1024 * 1024);
  });
});

describe('FrameDecoder', () => {
  const stream = Buffer.concat(values.map((v) => encodeFrame(v)));

  it('decodes a stream split at every single offset', () => {
    for (let i = 0; i <= stream.length; i++) {
      const out = decodeAll(new FrameDecoder(), [stream.subarray(0, i), stream.subarray(i)]);
      expect(out).toEqual(values);
    }
  });

  it('decodes a stream split at every pair of offsets', () => {
    const small = Buffer.concat([encodeFrame({ a: 'ü' }), encodeFrame([1]), encodeFrame('z')]);
    for (let i = 0; i <= small.length; i++) {
      for (let j = i; j <= small.length; j++) {
        const parts = [small.subarray(0, i), small.subarray(i, j), small.subarray(j)];
        expect(decodeAll(new FrameDecoder(), parts)).toEqual([{ a: 'ü' }, [1], 'z']);
      }
    }
  });

  it('decodes a stream fed one byte at a time', () => {
    const decoder = new FrameDecoder();
    const parts = [...stream].map((b) => Uint8Array.of(b));
    expect(decodeAll(decoder, parts)).toEqual(values);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('keeps a partial frame buffered until it completes', () => {
    const decoder = new FrameDecoder();
    const frame = encodeFrame({ x: 1 });
    expect(decoder.push(frame.subarray(0, 6))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(2);
    expect(decoder.push(frame.subarray(6))).toEqual([{ x: 1 }]);
  });

  it('rejects an oversized declared length from the header alone', () => {
    const decoder = new FrameDecoder(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025);
    const e = caught(() => decoder.push(header));
    expect(isGaterError(e, 'payload_too_large')).toBe(true);
    expect((e as { details: unknown }).details).toEqual({ bytes: 1025, maxFrameBytes: 1024 });
    // exactly at the limit is fine
    const ok = new FrameDecoder(1024);
    expect(ok.push(encodeFrame('y'.repeat(1022)))).toEqual(['y'.repeat(1022)]);
  });

  it('rejects payloads that are not UTF-8 JSON as invalid_argument', () => {
    const bad = [
      Buffer.from('{"a":'),
      Buffer.from([0xff, 0xfe, 0x22]),
      Buffer.alloc(0),
      Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]),
    ];
    for (const payload of bad) {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(payload.length);
      const e = caught(() => new FrameDecoder().push(Buffer.concat([header, payload])));
      expect(isGaterError(e, 'invalid_argument')).toBe(true);
    }
  });

  it('takes a real U+FFFD in the JSON, and refuses bytes that only decode to one (inside a string too)', () => {
    const framed = (payload: Buffer) => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(payload.length);
      return Buffer.concat([header, payload]);
    };
    expect(new FrameDecoder().push(framed(Buffer.from('{"s":"a\ufffdb"}', 'utf8')))).toEqual([{ s: 'a\ufffdb' }]);
    const lone = Buffer.concat([Buffer.from('{"s":"a'), Buffer.from([0xff]), Buffer.from('b"}')]);
    expect(
      isGaterError(
        caught(() => new FrameDecoder().push(framed(lone))),
        'invalid_argument',
      ),
    ).toBe(true);
  });

  it('stays failed after an error', () => {
    const decoder = new FrameDecoder(100);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(101);
    const first = caught(() => decoder.push(header));
    expect(caught(() => decoder.push(encodeFrame({ fine: true })))).toBe(first);
  });

  it('only ever throws GaterErrors on random bytes', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let round = 0; round < 2000; round++) {
      const decoder = new FrameDecoder(4096);
      const bytes = Buffer.alloc(4 + (rand() % 64));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rand() & 0xff;
      // half the rounds get a plausible header, so the JSON parser is exercised too
      if (round % 2 === 0) bytes.writeUInt32BE(Math.max(0, bytes.length - 4 - (rand() % 3)), 0);
      try {
        decoder.push(bytes);
      } catch (e) {
        expect(isGaterError(e)).toBe(true);
      }
    }
  });

  it('accepts a raised limit from the next header on', () => {
    const decoder = new FrameDecoder(16);
    const big = encodeFrame('z'.repeat(100));
    decoder.maxFrameBytes = 1000;
    expect(decoder.push(big)).toEqual(['z'.repeat(100)]);
  });
});
