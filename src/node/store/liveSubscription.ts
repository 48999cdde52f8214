import type { EventRecord, NackAction, Selector, SubscriptionType } from '../../core/types.js';
import type { StorageAdapter } from '../storage/storageAdapter.js';

/**
 * How a subscription learns that its gateway is not keeping up, and when it has caught up again. Declared by the
 * subscription that pauses on it; a session (worker.ts) provides it.
 */
export interface PushFlow {
  congested(): boolean;
  /** Bytes queued for the connection, pushes not yet written included (how big a hand-over turned out). */
  queuedBytes(): number;
  onDrain(cb: () => void): void;
}

/** How many records one catch-up read fetches. */
const READ_BATCH = 500;

/** About how many bytes one hand-over to a flow-controlled connection holds (a quarter of the default bound). */
const SLICE_BYTES = 256 * 1024;

export interface LiveSubscriptionOptions {
  id: string;
  store: string;
  type: SubscriptionType;
  selector: Selector;
  name: string;
  startFrom: number;
  topic: string;
  filter: (r: EventRecord) => boolean;
  /** Set for `$<stream>` subscriptions: positions are that stream's versions. */
  stream: string | undefined;
  /** Next position to consider (replay starts here). */
  cursor: number;
  deliver: (events: EventRecord[]) => void;
  /** The connection's flow control: when it is congested the subscription stops pushing until it drains. */
  flow?: PushFlow;
  /** Told once per episode when delivery is held back for a slow subscriber (and how far behind it is). */
  onLagging?: (lagging: boolean) => void;
  adapter: StorageAdapter;
  /** Present for named subscriptions: acks, redelivery and parking. */
  persistent?: { key: string; ackTimeoutMs: number; maxRetries: number; maxInFlight: number };
  onError: (e: unknown) => void;
}

interface InFlight {
  record: EventRecord;
  deliveries: number;
  deadline: number;
  /** When it was first delivered (Date.now()), for the oldest-unacked age `check subscription` watches. */
  since: number;
}

/**
 * One running subscription. It owns a cursor in its position space and pulls from storage whenever it is
 * behind, so the switch from replay to live delivery has no gap and no duplicate: a fresh append is handed
 * over directly only when it starts exactly at the cursor and no pull is running; otherwise the pull loop
 * (re)reads from the cursor.
 */
export class LiveSubscription {
  readonly id: string;
  readonly opts: LiveSubscriptionOptions;
  cursor: number;
  private busy = false;
  private dirty = false;
  /**
   * Held back because the subscriber's connection is congested. Nothing is buffered meanwhile: the cursor stays
   * where delivery stopped, and once the connection drains the pull loop reads the rest from storage. So a slow
   * subscriber costs one connection buffer, never blocks appenders, and still gets every event once, in order.
   */
  private paused = false;
  /** Events per hand-over under flow control: starts at one, then sized from what the last one weighed. */
  private slice = 1;
  closed = false;
  private readonly inFlight = new Map<number, InFlight>();
  /** Highest checkpoint asked to be stored, and the highest one stored. */
  private wantedCheckpoint: number;
  private writtenCheckpoint: number;
  private writingCheckpoint = false;
  private saving: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: LiveSubscriptionOptions) {
    this.id = opts.id;
    this.opts = opts;
    this.cursor = opts.cursor;
    this.wantedCheckpoint = opts.cursor;
    this.writtenCheckpoint = opts.cursor;
    if (opts.persistent) {
      const every = Math.min(1000, Math.max(10, Math.floor(opts.persistent.ackTimeoutMs / 4)));
      this.timer = setInterval(() => this.expire(), every);
      this.timer.unref();
    }
  }

  private pos(r: EventRecord): number {
    return this.opts.stream === undefined ? r.position : r.eventNumber;
  }

  /** Next position not yet acknowledged: everything below it is acked, skipped or parked. */
  get checkpoint(): number {
    let min = this.cursor;
    for (const p of this.inFlight.keys()) if (p < min) min = p;
    return min;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** How long the oldest delivered-but-unacked event has waited, in ms (0 when none). */
  oldestInFlightMs(now = Date.now()): number {
    let oldest = now;
    for (const f of this.inFlight.values()) if (f.since < oldest) oldest = f.since;
    return now - oldest;
  }

  private hasRoom(): boolean {
    return !this.opts.persistent || this.inFlight.size < this.opts.persistent.maxInFlight;
  }

  /** Called after every append to the store; `fresh` are the appended records when known (in order). */
  notify(fresh?: EventRecord[]): void {
    if (this.closed || this.paused) return;
    if (fresh && fresh.length > 0 && !this.busy && this.hasRoom()) {
      const mine = this.opts.stream === undefined ? fresh : fresh.filter((r) => r.eventStreamId === this.opts.stream);
      if (mine.length === 0) return;
      if (this.pos(mine[0]!) === this.cursor) {
        this.deliverUpTo(mine.filter(this.opts.filter), this.pos(mine[mine.length - 1]!) + 1);
        return;
      }
      if (this.pos(mine[0]!) < this.cursor) return; // already pulled by an earlier pass
    }
    void this.pull();
  }

  /** Reads from the cursor until caught up (or until in-flight is full). */
  async pull(): Promise<void> {
    if (this.busy) {
      this.dirty = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.dirty = false;
        while (!this.closed && !this.paused && this.hasRoom()) {
          const { adapter, store, stream } = this.opts;
          const from = this.cursor;
          // Under flow control a read holds a few slices: large events are not read 500 at a time (into memory, and
          // again after every pause) when one or two go per hand-over.
          const size = this.opts.flow ? Math.min(READ_BATCH, 2 * this.slice) : READ_BATCH;
          const batch =
            stream === undefined
              ? await adapter.readAll(store, from, size)
              : await adapter.readStream(store, stream, from, from + size - 1);
          if (this.closed || batch.length === 0) break;
          if (this.cursor !== from) continue; // reset() moved the cursor while this page was read
          // another pass may not have moved the cursor meanwhile: busy guards it
          this.deliverUpTo(batch.filter(this.opts.filter), this.pos(batch[batch.length - 1]!) + 1);
          if (batch.length < size) break;
        }
      } while (this.dirty && !this.closed);
      if (this.inFlight.size === 0) this.persistCheckpoint();
    } catch (e) {
      this.opts.onError(e);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Delivers `events` and moves the cursor to `end` (the position after what was read). With flow control the
   * events go in slices and stop at the first slice that finds the connection congested: the cursor then stays on
   * that slice's first event, which is read again from storage once the connection drains. A slice holds about
   * {@link SLICE_BYTES} (measured on the previous ones, starting from one event), so a catch-up of large events
   * queues at most the bound plus about one slice, while small events still go a whole read at a time.
   */
  private deliverUpTo(events: EventRecord[], end: number): void {
    const flow = this.opts.flow;
    if (!flow) {
      this.cursor = end;
      this.send(events);
      return;
    }
    for (let i = 0; i < events.length;) {
      if (this.closed) return;
      if (flow.congested()) {
        this.cursor = this.pos(events[i]!);
        this.pause(flow);
        return;
      }
      const n = Math.min(this.slice, events.length - i);
      const before = flow.queuedBytes();
      this.send(n === events.length ? events : events.slice(i, i + n));
      // At most twice the last slice: a flush during the hand-over can hide its weight (the kernel took some).
      const grew = flow.queuedBytes() - before;
      const fits = grew > 0 ? Math.floor((SLICE_BYTES * n) / grew) : READ_BATCH;
      this.slice = Math.max(1, Math.min(READ_BATCH, 2 * n, fits));
      i += n;
    }
    this.cursor = end;
  }

  private send(events: EventRecord[]): void {
    if (events.length === 0 || this.closed) return;
    const p = this.opts.persistent;
    if (p) {
      const since = Date.now();
      const deadline = since + p.ackTimeoutMs;
      for (const r of events) this.inFlight.set(this.pos(r), { record: r, deliveries: 1, deadline, since });
    }
    this.opts.deliver(events);
    const flow = this.opts.flow;
    if (flow && flow.congested()) this.pause(flow);
  }

  /** Whether delivery is held back for a subscriber that is not keeping up. */
  get lagging(): boolean {
    return this.paused;
  }

  private pause(flow: PushFlow): void {
    if (this.paused) return;
    this.paused = true;
    this.opts.onLagging?.(true);
    flow.onDrain(() => {
      if (this.closed) return;
      this.paused = false;
      this.opts.onLagging?.(false);
      void this.pull();
    });
  }

  /** Acknowledges one delivered event (by its record). Unknown positions are ignored (already acked). */
  ack(event: { position?: number; eventNumber?: number }): void {
    const pos = this.opts.stream === undefined ? event.position : event.eventNumber;
    if (typeof pos !== 'number') return;
    const wasFull = !this.hasRoom();
    this.inFlight.delete(pos);
    this.persistCheckpoint();
    if (wasFull && this.hasRoom()) void this.pull();
  }

  nack(event: { position?: number; eventNumber?: number }, action: NackAction): void {
    const pos = this.opts.stream === undefined ? event.position : event.eventNumber;
    const entry = typeof pos === 'number' ? this.inFlight.get(pos) : undefined;
    if (!entry || pos === undefined) return;
    if (action === 'skip') return this.ack(event);
    if (action === 'park') return this.park(pos, entry, 'nack_park');
    entry.deliveries++;
    if (entry.deliveries > (this.opts.persistent?.maxRetries ?? 0) + 1) return this.park(pos, entry, 'max_retries');
    entry.deadline = Date.now() + (this.opts.persistent?.ackTimeoutMs ?? 0);
    this.opts.deliver([entry.record]);
  }

  /** Redelivers what timed out; parks what ran out of retries. */
  private expire(): void {
    const p = this.opts.persistent;
    if (!p || this.closed) return;
    const now = Date.now();
    const again: EventRecord[] = [];
    for (const [pos, entry] of this.inFlight) {
      if (entry.deadline > now) continue;
      if (entry.deliveries > p.maxRetries) {
        this.park(pos, entry, 'max_retries');
        continue;
      }
      entry.deliveries++;
      entry.deadline = now + p.ackTimeoutMs;
      again.push(entry.record);
    }
    if (again.length > 0) this.opts.deliver(again);
  }

  private park(pos: number, entry: InFlight, reason: string): void {
    const p = this.opts.persistent;
    if (!p) return;
    this.inFlight.delete(pos);
    const r = entry.record;
    this.saving = this.saving
      .then(() =>
        this.opts.adapter.parkEvent(this.opts.store, p.key, {
          subscription: this.opts.name,
          position: r.position,
          eventId: r.eventId,
          eventStreamId: r.eventStreamId,
          eventNumber: r.eventNumber,
          reason,
          retries: entry.deliveries - 1,
          parkedAt: new Date().toISOString(),
        }),
      )
      .catch(this.opts.onError);
    this.persistCheckpoint();
    void this.pull();
  }

  /**
   * Stores the checkpoint, coalescing: while one write is in flight, later acks only raise the wanted value and the
   * running writer stores the newest one next. Acks at any rate cost at most one write in flight per subscription.
   */
  private persistCheckpoint(): void {
    const p = this.opts.persistent;
    if (!p) return;
    this.wantedCheckpoint = Math.max(this.wantedCheckpoint, this.checkpoint);
    if (this.writingCheckpoint || this.writtenCheckpoint >= this.wantedCheckpoint) return;
    this.writingCheckpoint = true;
    this.saving = this.saving
      .then(async () => {
        while (this.writtenCheckpoint < this.wantedCheckpoint) {
          const target = this.wantedCheckpoint;
          await this.opts.adapter.saveCheckpoint(this.opts.store, p.key, target);
          this.writtenCheckpoint = target;
        }
      })
      .then(
        () => {
          this.writingCheckpoint = false;
          this.persistCheckpoint(); // raised between the loop's last check and here
        },
        (e) => {
          this.writingCheckpoint = false; // the next ack tries again
          this.opts.onError(e);
        },
      );
  }

  /**
   * Delivers parked events again (an operator's replay): they are in flight like new deliveries, so acks, retries
   * and parking apply to them as before.
   */
  redeliver(records: EventRecord[]): void {
    this.send(records);
  }

  /**
   * Moves the subscription to `position` (backwards replays, forwards skips): in-flight events are dropped and
   * delivery restarts from there. The storage checkpoint was set by the caller.
   */
  reset(position: number): void {
    this.inFlight.clear();
    this.cursor = position;
    this.wantedCheckpoint = position;
    this.writtenCheckpoint = position;
    void this.pull();
  }

  /** Waits for checkpoint and park writes issued so far. */
  flushed(): Promise<void> {
    return this.saving;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }
}
