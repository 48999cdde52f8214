/** TCP transport between gateways and store nodes (DESIGN §5). */
export { connectRpc, DEFAULT_CONNECT_TIMEOUT_MS, type RpcClientOptions } from './rpcClient.js';
export type { RpcConnection } from './rpcConnection.js';
export {
  startRpcServer,
  HANDSHAKE_MAX_FRAME_BYTES,
  type RpcServer,
  type RpcServerOptions,
  type RpcServerStats,
} from './rpcServer.js';
export type { RpcSession } from './rpcSession.js';
export { COUNTERS_OP, MIN_FRAME_BYTES, type RegistryUpdate, type RequestId } from './protocol.js';
export { DEFAULT_MAX_WRITE_BUFFER_BYTES, type Logger, type LogLevel } from './framedSocket.js';
export {
  clientMac,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  isNonce,
  NONCE_BYTES,
  newNonce,
  serverMac,
  verifyMac,
} from './handshake.js';
export { TcpLink, connectTcpLink } from './tcpLink.js';
export { readTlsFiles, tlsContext, tlsFailureMessage, type TlsFiles, type TlsOptions } from './tls.js';
