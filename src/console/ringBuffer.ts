/**
 * A fixed-capacity ring buffer: live views keep the last `capacity` lines whatever the event rate, while `total`
 * still counts everything that went through (DESIGN §10: bounded memory, exact counts).
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private length = 0;
  /** Everything ever pushed, including what has been overwritten. */
  total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring buffer capacity must be an integer >= 1, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.length;
  }

  push(item: T): void {
    const end = (this.start + this.length) % this.capacity;
    this.items[end] = item;
    if (this.length < this.capacity) this.length++;
    else this.start = (this.start + 1) % this.capacity;
    this.total++;
  }

  pushMany(items: Iterable<T>): void {
    for (const item of items) this.push(item);
  }

  /** Oldest first; with `last`, only the newest `last` items. */
  toArray(last = this.length): T[] {
    const n = Math.max(0, Math.min(last, this.length));
    const out: T[] = new Array<T>(n);
    const from = this.length - n;
    for (let i = 0; i < n; i++) out[i] = this.items[(this.start + from + i) % this.capacity] as T;
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.length = 0;
  }
}

/**
 * Events per second over a sliding window, from samples of a running total. Sampling (rather than timestamping
 * each event) keeps the per-event cost at zero at 10,000 events/s.
 */
export class RateMeter {
  private readonly samples: { at: number; total: number }[] = [];

  constructor(
    private readonly windowMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records the running total now and returns the rate over the window. */
  sample(total: number): number {
    const at = this.now();
    this.samples.push({ at, total });
    while (this.samples.length > 2 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const span = at - first.at;
    if (span <= 0) return 0;
    return ((total - first.total) * 1000) / span;
  }
}
