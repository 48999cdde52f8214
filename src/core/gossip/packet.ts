/**
 * Gossip heartbeat packets in libcluster 3.5 Gossip framing (reference §5.3, DESIGN §5):
 * plaintext `"heartbeat::" ++ ETF(#{node => 'name@host', ts => <<JSON>>})`; with a secret,
 * `IV (16 random bytes) || AES-256-CBC(key = SHA-256(secret), IV, PKCS#7(plaintext))`.
 * A BEAM node's heartbeat has only `node`; ours add `ts`, a binary of JSON describing the process.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { GaterError } from '../errors.js';
import { parseStorages, type StorageIdentity } from '../wire/ops.js';
import { Atom, TermMap, atom, decodeTerm, encodeTerm } from '../wire/etf.js';
import { heartbeatMac, verifyHeartbeatMac } from './heartbeatAuth.js';

/** The ASCII prelude libcluster puts before the term (inside the ciphertext when a secret is set). */
export const HEARTBEAT_PRELUDE = Buffer.from('heartbeat::', 'ascii');

/** Default cap on a packet, in bytes: a heartbeat is ~200 bytes; anything this big is not one of ours. */
export const DEFAULT_MAX_PACKET_BYTES = 16 * 1024;

/** Roles a process announces. Wire values: append-only, never rename one. */
export const NODE_ROLES = ['node', 'gateway'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** The `ts` JSON our processes announce. `v` is the schema version; a newer one is not understood. */
export interface HeartbeatInfo {
  v: 1;
  role: NodeRole;
  /** Host or IP peers should dial for TCP. */
  host: string;
  /** Advertised TCP port (0 when the process serves no TCP, e.g. a gateway). */
  port: number;
  stores: string[];
  /** Storage identity per store (DESIGN §8): nodes with the same id for a store share its data. */
  storages?: Record<string, StorageIdentity>;
  /** Changes on every restart (start time in ms is a good choice); lets peers tell a restart from a blip. */
  incarnation: number;
}

/**
 * Why a packet was dropped. Wire-visible (status and `--json` output): append-only, never rename one.
 * - `too_large`: over the size cap;
 * - `decrypt_failed`: wrong length for AES-CBC or bad padding (usually a wrong secret);
 * - `no_prelude`: (decrypted) plaintext does not start with `heartbeat::` (also a wrong secret, 1 in 256);
 * - `bad_term`: the ETF did not decode;
 * - `not_a_heartbeat`: a term, but not a map with an atom `node`;
 * - `bad_info`: `ts` present but not our JSON schema;
 * - `unsupported_version`: `ts` JSON with a `v` we do not know;
 * - `bad_name`: the node name is not `name@host` in printable ASCII (up to 255 characters);
 * - `unauthenticated`: our `ts` without a valid heartbeat MAC (forged, or sent by a process with another secret
 *   that still decrypted);
 * - `replayed`: a heartbeat whose sequence number is not newer than one already accepted from that node;
 * - `stale`: a heartbeat whose timestamp is too far from our clock (an old capture, or a badly set clock).
 */
export const BAD_PACKET_REASONS = [
  'too_large',
  'decrypt_failed',
  'no_prelude',
  'bad_term',
  'not_a_heartbeat',
  'bad_info',
  'unsupported_version',
  'bad_name',
  'unauthenticated',
  'replayed',
  'stale',
] as const;
export type BadPacketReason = (typeof BAD_PACKET_REASONS)[number];

/**
 * What authenticates one of our heartbeats, carried in the same `ts` JSON (BEAM nodes ignore it): a sequence
 * number that grows with every heartbeat of one incarnation, the sender's clock (ms since the epoch) and an
 * HMAC keyed from the secret (see heartbeatAuth.ts).
 */
export interface HeartbeatAuth {
  seq: number;
  t: number;
  /** Whether the MAC checked out under the secret the packet was decoded with (false without a secret). */
  valid: boolean;
}

/** What a datagram turned out to be. */
export type DecodedHeartbeat =
  | { kind: 'ours'; node: string; info: HeartbeatInfo; auth?: HeartbeatAuth }
  | { kind: 'foreign'; node: string }
  | { kind: 'bad'; reason: BadPacketReason; detail?: string };

/** Options for {@link encodeHeartbeat} and {@link decodeHeartbeat}. */
export interface PacketOptions {
  /** Cluster secret; when set, packets are AES-256-CBC encrypted. Never logged. Default: none (plaintext). */
  secret?: string | undefined;
  /** Size cap in bytes. Default {@link DEFAULT_MAX_PACKET_BYTES}. */
  maxPacketBytes?: number;
}

const AES_BLOCK = 16;
const ATOM_NODE = atom('node');
const ATOM_TS = atom('ts');
const MAX_STORES = 1024;
const MAX_NAME = 255;

// One cached key: a process uses one secret, and hashing per datagram under a flood is wasted work.
let cachedKey: { secret: string; key: Buffer } | undefined;
function keyFor(secret: string): Buffer {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createHash('sha256').update(secret, 'utf8').digest() };
  return cachedKey.key;
}

/**
 * Builds one heartbeat datagram. Omit `info` to build a BEAM-style heartbeat (`#{node => ...}` only).
 * @throws GaterError `invalid_argument` if the info does not validate or the packet would exceed the cap.
 */
export function encodeHeartbeat(
  hb: { node: string; info?: HeartbeatInfo; seq?: number; t?: number },
  opts: PacketOptions = {},
): Buffer {
  const { secret, maxPacketBytes = DEFAULT_MAX_PACKET_BYTES } = opts;
  if (!isNodeName(hb.node))
    throw new GaterError('invalid_argument', 'gossip: bad node name: expected name@host in printable ASCII');
  const entries: Array<readonly [Atom, Atom | Buffer]> = [[ATOM_NODE, atom(hb.node)]];
  if (hb.info) {
    const problem = validateInfo(hb.info);
    if (problem) throw new GaterError('invalid_argument', `gossip: bad heartbeat info: ${problem}`);
    entries.push([ATOM_TS, infoBytes(hb.node, hb.info, secret, hb.seq, hb.t)]);
  }
  const plain = Buffer.concat([HEARTBEAT_PRELUDE, encodeTerm(new TermMap(entries))]);
  const packet = secret === undefined ? plain : encrypt(plain, keyFor(secret));
  if (packet.length > maxPacketBytes) {
    throw new GaterError('invalid_argument', `gossip: heartbeat of ${packet.length} bytes exceeds ${maxPacketBytes}`);
  }
  return packet;
}

/** The `ts` binary: the info as JSON, authenticated (seq, t, then mac last) when a secret and a seq are given. */
function infoBytes(node: string, info: HeartbeatInfo, secret?: string, seq?: number, t?: number): Buffer {
  if (secret === undefined || seq === undefined) return Buffer.from(JSON.stringify(info), 'utf8');
  const signed = Buffer.from(JSON.stringify({ ...info, seq, t: t ?? Date.now() }), 'utf8');
  const mac = heartbeatMac(secret, node, signed);
  return Buffer.concat([signed.subarray(0, signed.length - 1), Buffer.from(`,"mac":"${mac}"}`, 'ascii')]);
}

/** Classifies one datagram. Never throws, whatever the bytes. */
export function decodeHeartbeat(packet: Uint8Array, opts: PacketOptions = {}): DecodedHeartbeat {
  try {
    return decodeUnsafe(packet, opts);
  } catch (e) {
    // Defence in depth: every step below already returns `bad`; a surprise must not take the socket down.
    return { kind: 'bad', reason: 'bad_term', detail: e instanceof Error ? e.message : String(e) };
  }
}

function decodeUnsafe(packet: Uint8Array, opts: PacketOptions): DecodedHeartbeat {
  const { secret, maxPacketBytes = DEFAULT_MAX_PACKET_BYTES } = opts;
  if (packet.length > maxPacketBytes) return { kind: 'bad', reason: 'too_large' };
  let plain: Buffer;
  if (secret === undefined) {
    plain = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  } else {
    const p = decrypt(packet, keyFor(secret));
    if (!p) return { kind: 'bad', reason: 'decrypt_failed' };
    plain = p;
  }
  if (
    plain.length < HEARTBEAT_PRELUDE.length ||
    !plain.subarray(0, HEARTBEAT_PRELUDE.length).equals(HEARTBEAT_PRELUDE)
  ) {
    return { kind: 'bad', reason: 'no_prelude' };
  }
  const decoded = decodeTerm(plain.subarray(HEARTBEAT_PRELUDE.length), { maxDepth: 8, maxBytes: maxPacketBytes });
  if (!decoded.ok) return { kind: 'bad', reason: 'bad_term', detail: decoded.error };
  const map = decoded.term;
  if (!(map instanceof TermMap)) return { kind: 'bad', reason: 'not_a_heartbeat' };
  const node = map.get(ATOM_NODE);
  if (!(node instanceof Atom) || node.name.length === 0) return { kind: 'bad', reason: 'not_a_heartbeat' };
  if (!isNodeName(node.name)) return { kind: 'bad', reason: 'bad_name' };
  const ts = map.get(ATOM_TS);
  if (ts === undefined) return { kind: 'foreign', node: node.name };
  if (!(ts instanceof Uint8Array)) return { kind: 'bad', reason: 'bad_info', detail: 'ts is not a binary' };
  return parseInfo(node.name, ts, secret);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The `,"mac":"<64 hex>"}` an authenticated `ts` ends with. */
const MAC_SUFFIX_BYTES = ',"mac":""}'.length + 64;
const MAC_SUFFIX_RE = /,"mac":"([0-9a-f]{64})"\}$/;

function parseInfo(node: string, ts: Uint8Array, secret: string | undefined): DecodedHeartbeat {
  let raw: unknown;
  try {
    raw = JSON.parse(utf8.decode(ts));
  } catch {
    return { kind: 'bad', reason: 'bad_info', detail: 'ts is not JSON' };
  }
  if (!raw || typeof raw !== 'object') return { kind: 'bad', reason: 'bad_info', detail: 'ts is not an object' };
  const r = raw as Record<string, unknown>;
  if (r.v !== 1) return { kind: 'bad', reason: 'unsupported_version', detail: `v=${String(r.v)}` };
  // Copy only known fields so unknown extras from a newer minor revision never leak into our state.
  const info = {
    v: 1,
    role: r.role,
    host: r.host,
    port: r.port,
    stores: Array.isArray(r.stores) ? [...(r.stores as unknown[])] : r.stores,
    incarnation: r.incarnation,
    ...(r.storages === undefined ? {} : { storages: parseStorages(r.storages) ?? {} }),
  } as HeartbeatInfo;
  const problem = validateInfo(info);
  if (problem) return { kind: 'bad', reason: 'bad_info', detail: problem };
  if (r.seq === undefined && r.t === undefined && r.mac === undefined) return { kind: 'ours', node, info };
  const { seq, t } = r;
  const tail = Buffer.from(ts.subarray(Math.max(0, ts.length - MAC_SUFFIX_BYTES))).toString('latin1');
  const m = MAC_SUFFIX_RE.exec(tail);
  if (!Number.isSafeInteger(seq) || (seq as number) < 0 || !Number.isSafeInteger(t) || !m)
    return { kind: 'bad', reason: 'bad_info', detail: 'bad seq, t or mac' };
  // The MAC covers the exact bytes sent, minus the mac field (always last): no re-encoding on this side.
  const signed = Buffer.concat([ts.subarray(0, ts.length - MAC_SUFFIX_BYTES), Buffer.from('}')]);
  const valid = secret !== undefined && verifyHeartbeatMac(secret, node, signed, m[1]!);
  return { kind: 'ours', node, info, auth: { seq: seq as number, t: t as number, valid } };
}

const NAME_PART = '[\\x21-\\x3f\\x41-\\x7e]+';
const NODE_NAME_RE = new RegExp(`^${NAME_PART}@${NAME_PART}$`);

/**
 * Whether x is a node name we accept from the network: `name@host`, printable ASCII without spaces or a
 * second `@`, at most 255 characters. Anything else (a newline, an escape sequence) could forge log lines.
 */
export function isNodeName(x: unknown): x is string {
  return typeof x === 'string' && x.length <= MAX_NAME && NODE_NAME_RE.test(x);
}

/** Returns what is wrong with an info object, or undefined when it is valid. */
export function validateInfo(info: HeartbeatInfo): string | undefined {
  if (info.v !== 1) return 'v must be 1';
  if (!(NODE_ROLES as readonly unknown[]).includes(info.role)) return 'unknown role';
  if (typeof info.host !== 'string' || info.host.length === 0 || info.host.length > MAX_NAME) return 'bad host';
  if (!PRINTABLE_RE.test(info.host)) return 'bad host';
  if (!Number.isInteger(info.port) || info.port < 0 || info.port > 65535) return 'bad port';
  if (!Array.isArray(info.stores) || info.stores.length > MAX_STORES) return 'bad stores';
  if (!info.stores.every((s) => typeof s === 'string' && s.length > 0 && s.length <= MAX_NAME && !CONTROL_RE.test(s)))
    return 'bad store name';
  if (!Number.isSafeInteger(info.incarnation) || info.incarnation < 0) return 'bad incarnation';
  if (info.storages !== undefined && Object.keys(info.storages).length > MAX_STORES) return 'bad storages';
  return undefined;
}

/** Printable ASCII, no spaces: hosts are written into logs and dialled. */
const PRINTABLE_RE = /^[\x21-\x7e]+$/;
/** Control characters (C0, DEL, C1): never accepted in a store name, which is Unicode otherwise. */
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

function encrypt(plain: Buffer, key: Buffer): Buffer {
  const iv = randomBytes(AES_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, iv); // PKCS#7 padding is OpenSSL's default
  return Buffer.concat([iv, cipher.update(plain), cipher.final()]);
}

/** Undefined on any failure: wrong length, bad padding. OpenSSL checks every padding byte. */
function decrypt(packet: Uint8Array, key: Buffer): Buffer | undefined {
  if (packet.length < 2 * AES_BLOCK || packet.length % AES_BLOCK !== 0) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, packet.subarray(0, AES_BLOCK));
    return Buffer.concat([decipher.update(packet.subarray(AES_BLOCK)), decipher.final()]);
  } catch {
    return undefined;
  }
}
