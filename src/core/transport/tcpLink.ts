import type { NodeLink } from '../link.js';
import { parseStorages, type NodeAnnouncement, type Op, type OpRequest, type OpResult } from '../wire/ops.js';
import type { EventRecord, WorkerDescriptor } from '../types.js';
import { connectRpc, type RpcClientOptions } from './rpcClient.js';
import type { RpcConnection } from './rpcConnection.js';
import { COUNTERS_OP, type RegistryUpdate } from './protocol.js';

/** A NodeLink over the authenticated TCP transport. */
export class TcpLink implements NodeLink {
  private current: NodeAnnouncement;
  private readonly updateListeners: ((a: NodeAnnouncement) => void)[] = [];

  constructor(
    private readonly conn: RpcConnection,
    readonly address: string,
  ) {
    this.current = toAnnouncement(conn.remoteNode, conn.welcome);
    conn.onUpdate((u) => {
      this.current = toAnnouncement(conn.remoteNode, u);
      for (const l of this.updateListeners) l(this.current);
    });
  }

  get node(): string {
    return this.conn.remoteNode;
  }

  get closed(): boolean {
    return this.conn.closed;
  }

  announcement(): NodeAnnouncement {
    return this.current;
  }

  request<K extends Op>(op: K, args: OpRequest<K>, timeoutMs: number): Promise<OpResult<K>> {
    // The one place a decoded reply is taken as the protocol's result type: the peer speaks OpMap (the
    // handshake checked it is one of ours), as every typed RPC client trusts its decoder.
    return this.conn.request(op, args, timeoutMs) as Promise<OpResult<K>>;
  }

  onPush(cb: (sub: string, events: EventRecord[]) => void): void {
    this.conn.onPush((sub, events) => cb(sub, events as EventRecord[]));
  }

  onUpdate(cb: (a: NodeAnnouncement) => void): void {
    this.updateListeners.push(cb);
  }

  onClose(cb: (reason: string) => void): void {
    this.conn.onClose(cb);
  }

  close(): void {
    this.conn.close();
  }

  /** The node's own security counters (refused handshakes, tampered frames, gossip drops), fetched over the link. */
  async counters(timeoutMs: number): Promise<Record<string, number>> {
    const v = await this.conn.request(COUNTERS_OP, null, timeoutMs);
    const out: Record<string, number> = {};
    if (v && typeof v === 'object')
      for (const [k, n] of Object.entries(v as Record<string, unknown>)) if (typeof n === 'number') out[k] = n;
    return out;
  }
}

/** Connects and authenticates; rejects with GaterError `unauthorized`, `timeout` or `connection_closed`. */
export async function connectTcpLink(opts: RpcClientOptions): Promise<TcpLink> {
  const conn = await connectRpc(opts);
  return new TcpLink(conn, `${opts.host}:${opts.port}`);
}

function toAnnouncement(node: string, u: RegistryUpdate): NodeAnnouncement {
  const workers = (u.workers as unknown[]).filter(isWorker);
  return { node, stores: u.stores.filter((s) => typeof s === 'string'), workers, storages: parseStorages(u.storages) };
}

function isWorker(w: unknown): w is WorkerDescriptor {
  if (!w || typeof w !== 'object') return false;
  const { store, node, id } = w as Record<string, unknown>;
  return typeof store === 'string' && typeof node === 'string' && typeof id === 'string';
}
