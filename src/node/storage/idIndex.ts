import { randomBytes } from 'node:crypto';

/** Longest probe sequence accepted before the table is taken to be flooded (ids chosen to collide). */
const MAX_PROBE = 64;

/**
 * Event id -> global position for the memory adapter.
 *
 * Most ids arrive in increasing order (the gateway assigns monotonic ULIDs): those are kept as a sorted run of
 * positions, so the common lookup is one comparison with the greatest id stored ("greater than every stored id"
 * means "not stored") and adding one is a push. Ids that arrive out of order go to an open-addressing table of
 * (hash, position + 1) pairs in one Int32Array, at most half full, linear probing; an id at or below the greatest
 * is looked up there and, failing that, by binary search in the run.
 *
 * Why not a Map: with a million ids a Map lookup for a new id walks a bucket chain through scattered entries and
 * key strings (several cache misses, about 1 µs here), and every append looks up each of its ids and then adds it.
 * The table's hash is seeded per index; should ids still pile up on one probe sequence (a flood of chosen
 * collisions), the table moves to a Map for good, so the worst case is the Map's.
 */
export class IdIndex {
  private slots = new Int32Array(2 * 1024);
  private mask = 1023;
  private count = 0;
  private readonly seed = randomBytes(4).readInt32LE(0);
  private fallback: Map<string, number> | undefined;
  /** Positions of the ids added in increasing order, and the greatest id stored (run or table). */
  private run = new Int32Array(1024);
  private runLength = 0;
  private greatest = '';

  /**
   * @param idAt the event id stored at a position (to confirm a hash match).
   * @param hash replaces the seeded hash (tests use it to force collisions).
   */
  constructor(
    private readonly idAt: (position: number) => string,
    hash?: (id: string) => number,
  ) {
    if (hash) this.hash = hash;
  }

  get size(): number {
    return this.runLength + (this.fallback?.size ?? this.count);
  }

  /** Position of the event with this id, or -1. */
  find(id: string): number {
    if (id > this.greatest) return -1;
    const t = this.findInTable(id);
    return t >= 0 ? t : this.findInRun(id);
  }

  /** Records that `id` is stored at `position` (the caller has checked it is not stored yet). */
  add(id: string, position: number): void {
    if (id > this.greatest) {
      if (this.runLength === this.run.length) {
        const bigger = new Int32Array(this.run.length * 2);
        bigger.set(this.run);
        this.run = bigger;
      }
      this.run[this.runLength++] = position;
      this.greatest = id;
    } else this.addToTable(id, position);
  }

  private findInRun(id: string): number {
    let lo = 0;
    let hi = this.runLength - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.run[mid]!;
      const there = this.idAt(at);
      if (there === id) return at;
      if (there < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private findInTable(id: string): number {
    if (this.fallback) return this.fallback.get(id) ?? -1;
    if (this.count === 0) return -1;
    const h = this.hash(id);
    for (let i = h & this.mask, probes = 0; ; i = (i + 1) & this.mask, probes++) {
      const at = this.slots[2 * i + 1]!;
      if (at === 0) return -1;
      if (this.slots[2 * i] === h && this.idAt(at - 1) === id) return at - 1;
      if (probes > MAX_PROBE) {
        this.flood();
        return this.findInTable(id);
      }
    }
  }

  private addToTable(id: string, position: number): void {
    if (this.fallback) {
      this.fallback.set(id, position);
      return;
    }
    if (2 * (this.count + 1) > this.mask + 1) this.grow();
    if (!this.place(this.hash(id), position + 1)) {
      this.flood();
      this.fallback!.set(id, position);
      return;
    }
    this.count++;
  }

  /** Puts a pair in the first free slot of its probe sequence; false when the sequence is too long. */
  private place(h: number, at: number): boolean {
    for (let i = h & this.mask, probes = 0; probes <= MAX_PROBE; i = (i + 1) & this.mask, probes++) {
      if (this.slots[2 * i + 1] === 0) {
        this.slots[2 * i] = h;
        this.slots[2 * i + 1] = at;
        return true;
      }
    }
    return false;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] !== 0 && !this.place(old[i]!, old[i + 1]!)) {
        this.slots = old; // keep what is there; flood() rebuilds from it
        this.mask = (this.mask - 1) / 2;
        this.flood();
        return;
      }
    }
  }

  private flood(): void {
    const map = new Map<string, number>();
    for (let i = 1; i < this.slots.length; i += 2) {
      const at = this.slots[i]!;
      if (at !== 0) map.set(this.idAt(at - 1), at - 1);
    }
    this.fallback = map;
    this.slots = new Int32Array(0);
  }

  /** Seeded FNV-1a over UTF-16 units, then murmur3's finaliser so nearby ids spread over the table. */
  private hash = (id: string): number => {
    let h = 0x811c9dc5 ^ this.seed;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
  };
}
