import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  clientMac,
  isNonce,
  newNonce,
  parseAuth,
  parseHello,
  parseWelcome,
  serverMac,
  verifyMac,
} from './handshake.js';

const SNONCE = '00112233445566778899aabbccddeeff';
const CNONCE = 'ffeeddccbbaa99887766554433221100';

describe('handshake', () => {
  it('newNonce - returns 16 fresh random bytes as hex', () => {
    const a = newNonce();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(isNonce(a)).toBe(true);
    expect(newNonce()).not.toBe(a);
    expect(isNonce('abc')).toBe(false);
    expect(isNonce('zz'.repeat(16))).toBe(false);
  });

  it('clientMac - is HMAC-SHA256(cookie, "client" bytes | snonce bytes | cnonce bytes)', () => {
    const message = Buffer.concat([
      Buffer.from('client', 'ascii'),
      Buffer.from(SNONCE, 'hex'),
      Buffer.from(CNONCE, 'hex'),
    ]);
    const expected = createHmac('sha256', 'secret').update(message).digest('hex');
    expect(clientMac('secret', SNONCE, CNONCE)).toBe(expected);
  });

  it('serverMac - is HMAC-SHA256(cookie, "server" bytes | cnonce bytes | snonce bytes)', () => {
    const message = Buffer.concat([
      Buffer.from('server', 'ascii'),
      Buffer.from(CNONCE, 'hex'),
      Buffer.from(SNONCE, 'hex'),
    ]);
    const expected = createHmac('sha256', 'secret').update(message).digest('hex');
    expect(serverMac('secret', CNONCE, SNONCE)).toBe(expected);
  });

  it('labels keep a server MAC from passing as a client MAC over the same nonces', () => {
    expect(serverMac('secret', SNONCE, CNONCE)).not.toBe(clientMac('secret', SNONCE, CNONCE));
  });

  it('verifyMac - accepts only the same MAC, in either hex case', () => {
    const mac = clientMac('secret', SNONCE, CNONCE);
    expect(verifyMac(mac, mac)).toBe(true);
    expect(verifyMac(mac, mac.toUpperCase())).toBe(true);
    expect(verifyMac(mac, clientMac('other', SNONCE, CNONCE))).toBe(false);
    expect(verifyMac(mac, mac.slice(0, 62))).toBe(false);
    expect(verifyMac(mac, `${mac.slice(0, 63)}g`)).toBe(false);
    expect(verifyMac(mac, 42)).toBe(false);
    expect(verifyMac(mac, undefined)).toBe(false);
  });

  it('parsers - accept well-formed messages and refuse anything else', () => {
    expect(parseHello({ hello: { node: 'n@h', nonce: SNONCE } })).toEqual({ node: 'n@h', nonce: SNONCE });
    expect(parseHello({ hello: { node: '', nonce: SNONCE } })).toBeUndefined();
    expect(parseHello({ hello: { node: 'n', nonce: 'short' } })).toBeUndefined();
    expect(parseHello([1])).toBeUndefined();
    expect(parseAuth({ auth: { node: 'g', nonce: CNONCE, mac: 'm' } })).toEqual({ node: 'g', nonce: CNONCE, mac: 'm' });
    expect(parseAuth({ auth: { node: 'x'.repeat(256), nonce: CNONCE, mac: 'm' } })).toBeUndefined();
    expect(parseAuth(null)).toBeUndefined();
    const welcome = { mac: 'm', node: 'n', stores: ['s'], workers: [{ id: 1 }] };
    expect(parseWelcome({ welcome })).toEqual(welcome);
    expect(parseWelcome({ welcome: { ...welcome, stores: [1] } })).toBeUndefined();
    expect(parseWelcome({ welcome: { ...welcome, workers: {} } })).toBeUndefined();
  });
});
