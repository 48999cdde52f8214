/**
 * Authenticated heartbeats (DESIGN §5 trust model). libcluster's framing encrypts with AES-CBC and no MAC, and
 * carries neither sequence nor time, so a captured datagram can be replayed for ever. Our heartbeats add, inside
 * the `ts` JSON that BEAM nodes ignore, a sequence number (`seq`), the sender's clock (`t`, ms) and, as the last
 * field, `mac`: HMAC-SHA256 under a key derived from the secret (HKDF with its own label, independent of the AES
 * key) over the node name and the exact `ts` bytes without the `mac` field. The receiver checks the MAC when it
 * decodes and freshness (a newer sequence, a timestamp near its clock) in the membership.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const LABEL = Buffer.from('ex-esdb gossip heartbeat v1', 'ascii');

// One cached key: a process uses one secret, and deriving per datagram under a flood is wasted work.
let cached: { secret: string; key: Buffer } | undefined;

function heartbeatKey(secret: string): Buffer {
  if (cached?.secret !== secret)
    cached = { secret, key: Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), LABEL, 32)) };
  return cached.key;
}

function mac(secret: string, node: string, signed: Uint8Array): Buffer {
  const name = Buffer.from(node, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(name.length);
  return createHmac('sha256', heartbeatKey(secret)).update(len).update(name).update(signed).digest();
}

/** The `mac` of a heartbeat of `node` whose `ts` (without `mac`) is `signed`, as 64 hex digits. */
export function heartbeatMac(secret: string, node: string, signed: Uint8Array): string {
  return mac(secret, node, signed).toString('hex');
}

/** Whether `received` is the MAC of these bytes under `secret` (constant-time compare). */
export function verifyHeartbeatMac(secret: string, node: string, signed: Uint8Array, received: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(received)) return false;
  return timingSafeEqual(mac(secret, node, signed), Buffer.from(received, 'hex'));
}
