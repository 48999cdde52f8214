import type { NodeAnnouncement, Op, OpRequest, OpResult } from './wire/ops.js';
import type { EventRecord } from './types.js';

/**
 * The gateway's connection to one store node: the same request/response interface whether the node runs in
 * this process (embedded) or behind the TCP transport, so both paths run the same worker code.
 */
export interface NodeLink {
  readonly node: string;
  /** `host:port` for TCP links, `in-process` otherwise. */
  readonly address: string;
  /** Stores and workers as last announced. */
  announcement(): NodeAnnouncement;
  /** One request; rejects with GaterError (`timeout` after timeoutMs, `connection_closed` when the link dies). */
  request<K extends Op>(op: K, args: OpRequest<K>, timeoutMs: number): Promise<OpResult<K>>;
  onPush(cb: (sub: string, events: EventRecord[]) => void): void;
  onUpdate(cb: (a: NodeAnnouncement) => void): void;
  onClose(cb: (reason: string) => void): void;
  readonly closed: boolean;
  close(): void;
}
