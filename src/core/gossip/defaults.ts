/** Gossip defaults, the one copy configuration, nodes and gateways read (DESIGN §6). No sockets are loaded here. */
export const GOSSIP_DEFAULTS = {
  gossipPort: 45892,
  multicastAddr: '239.255.0.1',
  interfaceAddr: '0.0.0.0',
  heartbeatMs: 1000,
} as const;
