/**
 * One Erlang distribution connection after the handshake: 4-byte framed packets, ticks both ways, the control
 * messages a hidden client needs (SEND / REG_SEND out; SEND, monitors, links, exits in), and mailboxes for the
 * pids we mint. Packets are pass-through (`112, Control, [Message]`, each term with its own 131) because we
 * leave DIST_HDR_ATOM_CACHE and FRAGMENTS unset.
 */
import { connect, type Socket } from 'node:net';
import { GaterError, toGaterError } from '../errors.js';
import { FrameDecoder } from '../wire/frame.js';
import { Atom, Pid, Reference, Tuple, atom, decodeTermAt, encodeTerm, tuple, type Term } from '../wire/etf.js';
import { lookupNode } from './epmd.js';
import { DOP, PASS_THROUGH } from './flags.js';
import { performHandshake, type HandshakeResult } from './handshake.js';
import { parseNodeName } from './nodeName.js';

/** What arrives in a mailbox: a message, or a monitor/link signal about a remote process. */
export type MailboxSignal =
  | { kind: 'message'; msg: Term }
  | { kind: 'down'; ref: Term; from: Term; reason: Term }
  | { kind: 'exit'; from: Term; reason: Term };

export interface Mailbox {
  readonly pid: Pid;
  /** Stops delivery; monitors the peer holds on this pid fire with `normal`. */
  close(): void;
}

export interface DistConnectOptions {
  /** The peer node, `alive@host`. */
  node: string;
  /** Our node name, `alive@host` (never published). */
  name: string;
  cookie: string;
  /** Connect + handshake deadline (default 5000 ms). */
  timeoutMs?: number;
  /** Send a tick after this long without writing (default 15000 ms = the default net_ticktime / 4). */
  tickIntervalMs?: number;
  /** Close when nothing was read for this long (default max(4 × tickIntervalMs, 60000) ms). */
  silenceMs?: number;
  epmdPort?: number;
  /** Largest packet accepted (default 64 MiB). */
  maxPacketBytes?: number;
}

const DECODE_LIMITS = { distribution: true, maxDepth: 200, maxBigBytes: 4096 } as const;
const DEFAULT_MAX_PACKET = 64 * 1024 * 1024;
const TICK = Buffer.alloc(4);

/** Connects (EPMD lookup, TCP, handshake) and returns the live connection. */
export async function connectDist(opts: DistConnectOptions): Promise<DistConnection> {
  const peer = parseNodeName(opts.node);
  const timeoutMs = opts.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  const entry = await lookupNode(peer.host, peer.alive, { port: opts.epmdPort, timeoutMs });
  const socket = await openSocket(peer.host, entry.port, Math.max(1, deadline - Date.now()));
  const creation = randomCreation();
  const hs = await performHandshake(socket, {
    name: opts.name,
    cookie: opts.cookie,
    creation,
    peer: peer.full,
    timeoutMs: Math.max(1, deadline - Date.now()),
  });
  return new DistConnection(socket, opts, creation, hs);
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new GaterError('timeout', `no TCP connection to ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(new GaterError('connection_closed', `cannot connect to ${host}:${port}: ${e.message}`));
    });
  });
}

/** Non-zero, and never 1-3 (the old 2-bit creations), so pids of an earlier run are never mistaken for ours. */
function randomCreation(): number {
  return 4 + Math.floor(Math.random() * (0xffff_fff0 - 4));
}

export class DistConnection {
  readonly peer: string;
  readonly peerFlags: bigint;
  readonly flags: bigint;
  readonly peerCreation: number;
  private readonly decoder: FrameDecoder<Buffer>;
  private readonly mailboxes = new Map<number, (s: MailboxSignal) => void>();
  /** Monitors the peer set on our pids: pid id -> [(watcher, ref)]. */
  private readonly monitoredBy = new Map<number, Array<{ watcher: Term; ref: Term }>>();
  private readonly closeListeners: Array<(reason: string) => void> = [];
  private nextPid = 1;
  private nextRef = 1;
  private lastRead = Date.now();
  private lastWrite = Date.now();
  private readonly timer: NodeJS.Timeout;
  private closeReason: string | undefined;
  /** Counters for status. */
  readonly stats = { packetsIn: 0, packetsOut: 0, ticksIn: 0, ticksOut: 0, badPackets: 0 };

  constructor(
    private readonly socket: Socket,
    private readonly opts: DistConnectOptions,
    readonly creation: number,
    hs: HandshakeResult,
  ) {
    this.peer = hs.peerName;
    this.peerFlags = hs.peerFlags;
    this.flags = hs.flags;
    this.peerCreation = hs.peerCreation;
    this.decoder = new FrameDecoder<Buffer>(opts.maxPacketBytes ?? DEFAULT_MAX_PACKET, (p) => p);
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', () => {});
    socket.on('close', () => this.finish(this.closeReason ?? `${this.peer} closed the connection`));
    const tickMs = opts.tickIntervalMs ?? 15_000;
    const silenceMs = opts.silenceMs ?? Math.max(4 * tickMs, 60_000);
    this.timer = setInterval(
      () => {
        const now = Date.now();
        if (now - this.lastRead > silenceMs) return this.close(`${this.peer} sent nothing for ${silenceMs} ms`);
        if (now - this.lastWrite >= tickMs) this.tick();
      },
      Math.max(50, Math.min(tickMs, silenceMs) / 4),
    );
    this.timer.unref();
    if (hs.rest.length > 0) this.onData(hs.rest);
  }

  /** Our node name. */
  get name(): string {
    return this.opts.name;
  }

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  /** A fresh pid of ours (ids below 2^15 and a rolling serial, valid with or without V4_NC). */
  newPid(): Pid {
    const n = this.nextPid++;
    return new Pid(this.opts.name, n & 0x7fff, (n >>> 15) & 0x1fff, this.creation);
  }

  newRef(): Reference {
    const n = this.nextRef++;
    return new Reference(this.opts.name, this.creation, [n & 0x3ffff, Math.floor(n / 0x40000) >>> 0, 0]);
  }

  /** A pid of ours whose messages and signals go to `handler` until closed. */
  openMailbox(handler: (s: MailboxSignal) => void): Mailbox {
    const pid = this.newPid();
    this.mailboxes.set(pid.id | (pid.serial << 15), handler);
    return {
      pid,
      close: () => {
        const key = pid.id | (pid.serial << 15);
        if (!this.mailboxes.delete(key)) return;
        for (const m of this.monitoredBy.get(key) ?? []) {
          this.sendControl(tuple(DOP.MONITOR_P_EXIT, pid, m.watcher, m.ref, atom('normal')));
        }
        this.monitoredBy.delete(key);
      },
    };
  }

  /** SEND: a message to a remote pid. */
  send(to: Pid, msg: Term): void {
    this.sendControl(tuple(DOP.SEND, atom(''), to), msg);
  }

  /** REG_SEND: a message to a process registered under `name` on the peer. */
  regSend(from: Pid, name: string, msg: Term): void {
    this.sendControl(tuple(DOP.REG_SEND, from, atom(''), atom(name)), msg);
  }

  /** MONITOR_P from our pid to a remote pid; a `down` signal arrives in `from`'s mailbox when it dies. */
  monitor(from: Pid, to: Pid | Atom, ref: Reference): void {
    this.sendControl(tuple(DOP.MONITOR_P, from, to, ref));
  }

  demonitor(from: Pid, to: Pid | Atom, ref: Reference): void {
    this.sendControl(tuple(DOP.DEMONITOR_P, from, to, ref));
  }

  /** Calls `cb` once when the connection closes; returns a function that removes it. */
  onClose(cb: (reason: string) => void): () => void {
    if (this.closeReason !== undefined) {
      queueMicrotask(() => cb(this.closeReason!));
      return () => {};
    }
    this.closeListeners.push(cb);
    return () => {
      const i = this.closeListeners.indexOf(cb);
      if (i >= 0) this.closeListeners.splice(i, 1);
    };
  }

  close(reason = 'closed by us'): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    this.socket.destroy();
    this.finish(reason);
  }

  private finished = false;
  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.closeReason ??= reason;
    clearInterval(this.timer);
    this.socket.destroy();
    for (const l of this.closeListeners.splice(0)) l(this.closeReason);
  }

  private tick(): void {
    if (this.closed) return;
    this.stats.ticksOut++;
    this.write(TICK);
  }

  private write(b: Buffer): void {
    if (this.closed) throw new GaterError('connection_closed', `link to ${this.peer} is closed (${this.closeReason})`);
    this.lastWrite = Date.now();
    this.socket.write(b);
    // A peer that stops reading must not make us buffer without bound.
    if (this.socket.writableLength > (this.opts.maxPacketBytes ?? DEFAULT_MAX_PACKET) * 2)
      this.close(`${this.peer} is not reading (write buffer over limit)`);
  }

  private sendControl(control: Term, msg?: Term): void {
    const parts = [Buffer.from([PASS_THROUGH]), encodeTerm(control)];
    if (msg !== undefined) parts.push(encodeTerm(msg));
    const len = parts.reduce((n, p) => n + p.length, 0);
    const max = this.opts.maxPacketBytes ?? DEFAULT_MAX_PACKET;
    if (len > max)
      throw new GaterError('payload_too_large', `message of ${len} bytes exceeds the limit of ${max} bytes`, {
        bytes: len,
        maxFrameBytes: max,
      });
    const head = Buffer.alloc(4);
    head.writeUInt32BE(len, 0);
    this.stats.packetsOut++;
    this.write(Buffer.concat([head, ...parts]));
  }

  private onData(chunk: Buffer): void {
    this.lastRead = Date.now();
    let packets: Buffer[];
    try {
      packets = this.decoder.push(chunk);
    } catch (e) {
      return this.close(`bad packet from ${this.peer}: ${toGaterError(e).message}`);
    }
    for (const p of packets) {
      if (this.closed) return;
      if (p.length === 0) {
        // Answer a tick with a tick: the peer ticks only when it has been idle, so this never ping-pongs.
        this.stats.ticksIn++;
        this.tick();
        continue;
      }
      this.stats.packetsIn++;
      this.onPacket(p);
    }
  }

  /** A malformed or unexpected packet is counted and dropped, never fatal to the process. */
  private onPacket(p: Buffer): void {
    if (p[0] !== PASS_THROUGH) {
      this.stats.badPackets++;
      return;
    }
    const ctl = decodeTermAt(p, 1, { ...DECODE_LIMITS, maxBytes: p.length + 1 });
    if (!ctl.ok || !(ctl.term instanceof Tuple)) {
      this.stats.badPackets++;
      return;
    }
    let msg: Term | undefined;
    if (ctl.end < p.length) {
      const m = decodeTermAt(p, ctl.end, { ...DECODE_LIMITS, maxBytes: p.length + 1 });
      if (!m.ok) {
        this.stats.badPackets++;
        return;
      }
      msg = m.term;
    }
    this.dispatch(ctl.term.elements, msg);
  }

  private dispatch(c: readonly Term[], msg: Term | undefined): void {
    const op = c[0];
    switch (op) {
      case DOP.SEND:
      case DOP.SEND_SENDER:
      case DOP.ALIAS_SEND:
        if (msg !== undefined) this.deliver(c[2], { kind: 'message', msg });
        return;
      case DOP.REG_SEND:
        if (msg !== undefined) this.onRegSend(c[3], msg);
        return;
      case DOP.MONITOR_P: {
        const [, watcher, target, ref] = c;
        const key = target instanceof Pid ? this.keyOf(target) : undefined;
        if (key !== undefined && this.mailboxes.has(key)) {
          const list = this.monitoredBy.get(key) ?? [];
          list.push({ watcher: watcher!, ref: ref! });
          this.monitoredBy.set(key, list);
        } else {
          // A name we do not register, or a pid that is gone: the watcher must hear at once that it is dead.
          this.sendControl(tuple(DOP.MONITOR_P_EXIT, target ?? atom('undefined'), watcher!, ref!, atom('noproc')));
        }
        return;
      }
      case DOP.DEMONITOR_P: {
        const [, , target, ref] = c;
        const key = target instanceof Pid ? this.keyOf(target) : undefined;
        const list = key !== undefined ? this.monitoredBy.get(key) : undefined;
        if (list && key !== undefined) {
          const rest = list.filter(
            (m) => !(ref instanceof Reference && m.ref instanceof Reference && sameRef(m.ref, ref)),
          );
          if (rest.length > 0) this.monitoredBy.set(key, rest);
          else this.monitoredBy.delete(key);
        }
        return;
      }
      case DOP.MONITOR_P_EXIT:
        this.deliver(c[2], { kind: 'down', from: c[1]!, ref: c[3]!, reason: c[4] ?? atom('unknown') });
        return;
      case DOP.PAYLOAD_MONITOR_P_EXIT:
        this.deliver(c[2], { kind: 'down', from: c[1]!, ref: c[3]!, reason: msg ?? atom('unknown') });
        return;
      case DOP.EXIT:
      case DOP.EXIT2:
        this.deliver(c[2], { kind: 'exit', from: c[1]!, reason: c[3] ?? atom('unknown') });
        return;
      case DOP.PAYLOAD_EXIT:
      case DOP.PAYLOAD_EXIT2:
        this.deliver(c[2], { kind: 'exit', from: c[1]!, reason: msg ?? atom('unknown') });
        return;
      case DOP.UNLINK_ID: {
        // Acknowledge before anything else goes to that pid (erl_dist_protocol.md, "Link Protocol").
        const [, id, from, to] = c;
        this.sendControl(tuple(DOP.UNLINK_ID_ACK, id!, to!, from!));
        return;
      }
      default:
        // LINK, UNLINK_ID_ACK, and anything newer: nothing for a client to do.
        return;
    }
  }

  private keyOf(p: Pid): number | undefined {
    if (p.node !== this.opts.name || p.creation !== this.creation) return undefined;
    return p.id | (p.serial << 15);
  }

  private deliver(to: Term | undefined, s: MailboxSignal): void {
    const key = to instanceof Pid ? this.keyOf(to) : undefined;
    if (key === undefined) return;
    this.mailboxes.get(key)?.(s);
  }

  /**
   * We register no names, but old `rpc` implementations fall back to `gen_server:call({rex, Us}, ...)` when
   * their erpc fails with `notsup` (Swarm probes every node it sees this way): answer so the caller never
   * waits for us.
   */
  private onRegSend(name: Term | undefined, msg: Term): void {
    if (!(name instanceof Atom) || name.name !== 'rex') return;
    if (!(msg instanceof Tuple) || msg.elements.length !== 3) return;
    const [tag, from] = msg.elements;
    if (!(tag instanceof Atom) || tag.name !== '$gen_call' || !(from instanceof Tuple)) return;
    const [caller, callTag] = from.elements;
    if (!(caller instanceof Pid) || callTag === undefined) return;
    this.send(caller, tuple(callTag, tuple(atom('badrpc'), atom('notsup'))));
  }

  toString(): string {
    return `DistConnection(${this.opts.name} -> ${this.peer}${this.closed ? `, closed: ${this.closeReason}` : ''})`;
  }
}

function sameRef(a: Reference, b: Reference): boolean {
  return a.node === b.node && a.creation === b.creation && a.ids.every((x, i) => x === b.ids[i]);
}
