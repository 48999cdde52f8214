/**
 * The mutual challenge-response handshake of the TCP transport (DESIGN §5):
 *
 *   server → client  {"hello":   {"node", "nonce": snonce}}
 *   client → server  {"auth":    {"node", "nonce": cnonce, "mac": hex(HMAC-SHA256(cookie, "client" | snonce | cnonce))}}
 *   server → client  {"welcome": {"mac": hex(HMAC-SHA256(cookie, "server" | cnonce | snonce)), "node", "stores", "workers", "storages"}}  (sealed)
 *                or  {"error":   {"code": "unauthorized", "message"}} and close
 *
 * `|` is concatenation of raw bytes: the HMAC message is the ASCII label ("client" or "server", 6 bytes, no
 * separator or terminator) followed by the 16 bytes of the first nonce, then the 16 bytes of the second nonce
 * (nonces travel as 32 lowercase or uppercase hex digits; the MAC is over their decoded bytes, not the hex
 * text). The HMAC key is the cookie's UTF-8 bytes. Each side proves it knows the cookie over the other side's
 * fresh nonce, and the different labels stop a server MAC being replayed as a client MAC.
 *
 * Once the server has checked the auth, both sides switch to sealed frames (./sessionSeal.ts): the welcome is
 * the server's first sealed frame, so a relay cannot change the names, stores or workers it carries either.
 * A refusal is sent plain (the refused peer has no session key).
 *
 * The cookie is only ever an argument to these functions: nothing here logs it or puts it in an error.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Nonce length in bytes (sent as twice as many hex digits). */
export const NONCE_BYTES = 16;

/** Default time a peer has to complete the handshake: 5 s. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;

/** Longest node name accepted in a handshake; longer ones are refused as malformed. */
export const MAX_NODE_NAME_LENGTH = 255;

const NONCE_RE = /^[0-9a-fA-F]{32}$/;
const MAC_RE = /^[0-9a-fA-F]{64}$/;

/** A fresh random nonce, as hex. */
export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('hex');
}

/** Whether x is a well-formed nonce (exactly {@link NONCE_BYTES} bytes of hex). */
export function isNonce(x: unknown): x is string {
  return typeof x === 'string' && NONCE_RE.test(x);
}

function mac(cookie: string, label: 'client' | 'server', first: string, second: string): string {
  return createHmac('sha256', Buffer.from(cookie, 'utf8'))
    .update(Buffer.from(label, 'ascii'))
    .update(Buffer.from(first, 'hex'))
    .update(Buffer.from(second, 'hex'))
    .digest('hex');
}

/** The MAC a client sends: HMAC-SHA256(cookie, "client" | snonce | cnonce), hex. */
export function clientMac(cookie: string, serverNonce: string, clientNonce: string): string {
  return mac(cookie, 'client', serverNonce, clientNonce);
}

/** The MAC a server sends back: HMAC-SHA256(cookie, "server" | cnonce | snonce), hex. */
export function serverMac(cookie: string, clientNonce: string, serverNonce: string): string {
  return mac(cookie, 'server', clientNonce, serverNonce);
}

/**
 * Compares a received MAC with the expected one in constant time. Anything that is not 64 hex digits is
 * refused up front; that only reveals the (public) format, never how much of a MAC matched.
 */
export function verifyMac(expected: string, received: unknown): boolean {
  if (typeof received !== 'string' || !MAC_RE.test(received) || !MAC_RE.test(expected)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(received, 'hex'));
}

export interface Hello {
  node: string;
  nonce: string;
}

export interface Auth {
  node: string;
  nonce: string;
  mac: string;
}

export interface Welcome {
  mac: string;
  node: string;
  stores: string[];
  workers: unknown[];
  storages?: unknown;
}

function record(x: unknown): Record<string, unknown> | undefined {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}

function isNodeName(x: unknown): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= MAX_NODE_NAME_LENGTH;
}

/** The `hello` of a frame, or undefined if the frame is not a well-formed hello. */
export function parseHello(frame: unknown): Hello | undefined {
  const h = record(record(frame)?.hello);
  if (!h || !isNodeName(h.node) || !isNonce(h.nonce)) return undefined;
  return { node: h.node, nonce: h.nonce };
}

/** The `auth` of a frame, or undefined if the frame is not a well-formed auth (the MAC is not checked here). */
export function parseAuth(frame: unknown): Auth | undefined {
  const a = record(record(frame)?.auth);
  if (!a || !isNodeName(a.node) || !isNonce(a.nonce) || typeof a.mac !== 'string') return undefined;
  return { node: a.node, nonce: a.nonce, mac: a.mac };
}

/** The `welcome` of a frame, or undefined if the frame is not a well-formed welcome (the MAC is not checked here). */
export function parseWelcome(frame: unknown): Welcome | undefined {
  const w = record(record(frame)?.welcome);
  if (!w || typeof w.mac !== 'string' || !isNodeName(w.node)) return undefined;
  const { stores, workers } = w;
  if (!Array.isArray(stores) || !stores.every((s) => typeof s === 'string') || !Array.isArray(workers))
    return undefined;
  return { mac: w.mac, node: w.node, stores: stores as string[], workers, storages: w.storages };
}
