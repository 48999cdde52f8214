/** Gossip: libcluster-compatible UDP heartbeats and the membership they drive (DESIGN §5). */
export {
  BAD_PACKET_REASONS,
  DEFAULT_MAX_PACKET_BYTES,
  HEARTBEAT_PRELUDE,
  NODE_ROLES,
  decodeHeartbeat,
  encodeHeartbeat,
  validateInfo,
  type BadPacketReason,
  type DecodedHeartbeat,
  type HeartbeatInfo,
  type NodeRole,
  type PacketOptions,
} from './packet.js';
export {
  DOWN_REASONS,
  MEMBER_STATES,
  Membership,
  type BadSourceView,
  type ForeignNodeView,
  type GossipLog,
  type MemberState,
  type MemberView,
  type MembershipEvent,
  type MembershipEventType,
  type MembershipOptions,
  type MembershipSnapshot,
} from './membership.js';
export {
  GOSSIP_DEFAULTS,
  startGossip,
  type GossipOptions,
  type GossipService,
  type GossipStats,
} from './gossipService.js';
