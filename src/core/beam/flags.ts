/**
 * Erlang distribution constants (erts `dist.h`, `erl_dist_protocol.md`). Erlang owns these numbers: this file is
 * append-only, never renumber an entry.
 */

/** Capability flags exchanged in the handshake (64-bit; values above 2^32 are the "high" flags). */
export const DFLAG = {
  PUBLISHED: 0x1n,
  EXTENDED_REFERENCES: 0x4n,
  DIST_MONITOR: 0x8n,
  FUN_TAGS: 0x10n,
  DIST_MONITOR_NAME: 0x20n,
  NEW_FUN_TAGS: 0x80n,
  EXTENDED_PIDS_PORTS: 0x100n,
  EXPORT_PTR_TAG: 0x200n,
  BIT_BINARIES: 0x400n,
  NEW_FLOATS: 0x800n,
  DIST_HDR_ATOM_CACHE: 0x2000n,
  SMALL_ATOM_TAGS: 0x4000n,
  UTF8_ATOMS: 0x10000n,
  MAP_TAG: 0x20000n,
  BIG_CREATION: 0x40000n,
  HANDSHAKE_23: 0x1000000n,
  UNLINK_ID: 0x2000000n,
  MANDATORY_25_DIGEST: 0x4000000n,
  SPAWN: 0x1_0000_0000n,
  V4_NC: 0x4_0000_0000n,
} as const;

/** What OTP 25 requires of every peer (`DFLAG_DIST_MANDATORY_25`). */
export const MANDATORY_25 =
  DFLAG.EXTENDED_REFERENCES |
  DFLAG.FUN_TAGS |
  DFLAG.NEW_FUN_TAGS |
  DFLAG.EXTENDED_PIDS_PORTS |
  DFLAG.EXPORT_PTR_TAG |
  DFLAG.BIT_BINARIES |
  DFLAG.NEW_FLOATS |
  DFLAG.UTF8_ATOMS |
  DFLAG.MAP_TAG |
  DFLAG.BIG_CREATION |
  DFLAG.HANDSHAKE_23;

/**
 * Our flags: erl_interface's preferred set (OTP 25 mandatory bits, the OTP 26/27 additions UNLINK_ID and V4_NC,
 * DIST_MONITOR, SMALL_ATOM_TAGS) = 0x4_0707_4F9C. Deliberately unset: PUBLISHED (we are hidden), SPAWN (so
 * Swarm's rpc to us fails fast with `notsup` instead of waiting for a spawn reply), DIST_HDR_ATOM_CACHE and
 * FRAGMENTS (so packets are plain pass-through terms), DIST_MONITOR_NAME (so pg's monitor of our scope pid stays
 * local to the peer).
 */
export const OUR_FLAGS =
  MANDATORY_25 | DFLAG.MANDATORY_25_DIGEST | DFLAG.UNLINK_ID | DFLAG.V4_NC | DFLAG.DIST_MONITOR | DFLAG.SMALL_ATOM_TAGS;

/** Control message operations (`dist.h` `enum dop`). */
export const DOP = {
  LINK: 1,
  SEND: 2,
  EXIT: 3,
  UNLINK: 4,
  REG_SEND: 6,
  EXIT2: 8,
  MONITOR_P: 19,
  DEMONITOR_P: 20,
  MONITOR_P_EXIT: 21,
  SEND_SENDER: 22,
  PAYLOAD_EXIT: 24,
  PAYLOAD_EXIT2: 26,
  PAYLOAD_MONITOR_P_EXIT: 28,
  ALIAS_SEND: 33,
  UNLINK_ID: 35,
  UNLINK_ID_ACK: 36,
} as const;

/** First byte of a packet without a distribution header ("pass through"). */
export const PASS_THROUGH = 112;
