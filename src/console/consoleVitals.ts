import { LatencyHistogram } from '../core/bench/index.js';
import { toGaterError, type Gater } from '../core/index.js';
import { RateMeter } from './ringBuffer.js';
import { memoryStatus, sampleMemory, type VitalsSnapshot } from './vitals.js';

/** Seconds the append rate and the delivery p99 look back over. */
export const VITALS_WINDOW_S = 5;

/** How far before a subscriber's start an event may have been created and still count as live (clock skew). */
const REPLAY_MARGIN_MS = 1000;

/** Whether an event was created before a subscriber that started at `sinceMs` (so it is replayed history). */
export const isReplayed = (createdEpochMicros: number, sinceMs: number): boolean =>
  createdEpochMicros / 1000 < sinceMs - REPLAY_MARGIN_MS;

/**
 * The console's vital signs, gathered on ONE clock (every `everyMs`) for every view that shows them: each view
 * polling on its own clock would draw a frame per poll, and every frame costs the event loop (see FramePacer).
 * Plain TypeScript, started by the first subscriber and stopped by the last.
 */
export class ConsoleVitals {
  private readonly listeners = new Set<(s: VitalsSnapshot) => void>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private last: VitalsSnapshot | undefined;
  private readonly appendRate: RateMeter;
  /** One histogram per second of the window, the oldest reset and reused as the window moves. */
  private readonly latency = Array.from({ length: VITALS_WINDOW_S }, () => new LatencyHistogram());
  private readonly merged = new LatencyHistogram();
  private slot = 0;

  constructor(
    private readonly gater: Gater,
    private readonly eventsInProcess: () => boolean,
    readonly everyMs = 1000,
    now: () => number = Date.now,
  ) {
    this.appendRate = new RateMeter(VITALS_WINDOW_S * 1000, now);
  }

  /**
   * Records the delivery latency of an event a subscriber that started at `sinceMs` received, from the event's
   * `createdEpoch` (µs); for a batch, pass its oldest live event (the worst). An event created before the subscriber
   * started is history it replays: its age is not a delivery latency (a replay from 0 once showed a p99 of 50 s),
   * so it is left out. The margin allows for a node's clock running a little behind this one.
   */
  recordDelivery(createdEpochMicros: number, sinceMs: number): void {
    if (!Number.isFinite(createdEpochMicros) || isReplayed(createdEpochMicros, sinceMs)) return;
    this.latency[this.slot]!.record(Date.now() - createdEpochMicros / 1000);
  }

  /**
   * The latest snapshot; before the first tick, what is known without asking the store (mode, store, nodes,
   * memory), so the header is never empty.
   */
  get current(): VitalsSnapshot {
    return (
      this.last ?? { ...this.local(undefined), appendRate: this.gater.mode === 'beam' ? undefined : 0, delivered: 0 }
    );
  }

  private local(
    storeEvents: number | undefined,
  ): Pick<VitalsSnapshot, 'mode' | 'store' | 'nodes' | 'memory' | 'split'> {
    const nodes = this.gater.cluster.status().nodes;
    const linked = nodes.filter((n) => n.state === 'alive' && n.connected).length;
    const groups = this.gater.registry.groups(this.gater.store);
    return {
      mode: this.gater.mode,
      store: this.gater.store,
      nodes: { linked, total: nodes.length },
      ...(groups.length > 1 ? { split: { groups: groups.length, kinds: groups.map((g) => g.kind) } } : {}),
      memory: memoryStatus(sampleMemory(), this.eventsInProcess() ? storeEvents : undefined),
    };
  }

  /** Called with each new snapshot (about once a second); returns the unsubscribe function. */
  subscribe(listener: (s: VitalsSnapshot) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      void this.tick();
      this.timer = setInterval(() => void this.tick(), this.everyMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Takes a snapshot now and tells the listeners (the clock does this; tests call it directly). */
  async tick(): Promise<VitalsSnapshot | undefined> {
    if (this.busy) return this.last;
    this.busy = true;
    try {
      const snap = await this.take();
      this.last = snap;
      for (const l of [...this.listeners]) {
        try {
          l(snap);
        } catch {
          // a broken view must not stop the others
        }
      }
      return snap;
    } finally {
      this.busy = false;
    }
  }

  private async take(): Promise<VitalsSnapshot> {
    const { gater } = this;
    let storeEvents = this.last?.storeEvents;
    let streams = this.last?.streams;
    let error: string | undefined;
    try {
      const [head, list] = await Promise.all([
        gater.api.getHeadPosition(gater.store),
        gater.api.getStreams(gater.store),
      ]);
      // ExESDB numbers events per stream only: over --beam the store has no head, so no count and no rate.
      storeEvents = gater.mode === 'beam' ? undefined : head + 1;
      streams = list.length;
    } catch (e) {
      error = toGaterError(e).message;
    }
    const appendRate =
      gater.mode === 'beam' ? undefined : storeEvents === undefined ? 0 : this.appendRate.sample(storeEvents);
    this.merged.reset();
    for (const h of this.latency) this.merged.add(h);
    this.slot = (this.slot + 1) % this.latency.length;
    this.latency[this.slot]!.reset();
    const delivered = this.merged.count;
    return {
      ...this.local(storeEvents),
      streams,
      storeEvents,
      appendRate,
      deliveryP99: delivered > 0 ? this.merged.at(99) : undefined,
      delivered,
      error,
    };
  }
}
