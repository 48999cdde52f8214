/**
 * Refused and dropped connections, aggregated: a flood of bad handshakes must not become a flood of log lines
 * (issue #11 item 6). Each refusal is counted at once; a summary line is written at most once per interval:
 * the first refusal after a quiet interval straight away, the rest when the interval ends.
 */
import type { Logger } from './framedSocket.js';

/** Why a connection was turned away before or during the handshake. Wire-visible in status: append-only. */
export const REFUSAL_KINDS = {
  badAuth: 'wrong cookie or malformed auth',
  rateLimited: 'too many failed handshakes (rate-limited)',
  overCapacity: 'too many connections still in their handshake',
  handshakeTimeout: 'no handshake in time',
  badInput: 'undecodable input before the handshake',
  badTls: 'no client certificate, or one the CA did not sign',
  plaintext: 'plaintext client on a TLS listener',
} as const;
export type RefusalKind = keyof typeof REFUSAL_KINDS;

/** How many source addresses a summary names (the busiest ones). */
const TOP_SOURCES = 3;
/** Cap on addresses counted per interval, so a spoofed-source flood cannot grow memory. */
const MAX_SOURCES = 1024;

export class RefusalLog {
  private readonly counts = new Map<RefusalKind, number>();
  private readonly sources = new Map<string, number>();
  private lastFlush = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param intervalMs shortest time between two summary lines (default 10 s).
   * @param now clock, ms.
   */
  constructor(
    private readonly log: Logger,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one refusal of `kind` from `address` and logs a summary when one is due. */
  note(kind: RefusalKind, address: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    if (this.sources.has(address) || this.sources.size < MAX_SOURCES)
      this.sources.set(address, (this.sources.get(address) ?? 0) + 1);
    const wait = this.lastFlush + this.intervalMs - this.now();
    if (wait <= 0) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), wait);
      this.timer.unref();
    }
  }

  /** Writes what is pending now (e.g. on shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlush = this.now();
    if (this.counts.size === 0) return;
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    const kinds = [...this.counts].map(([k, n]) => `${n} ${REFUSAL_KINDS[k]}`).join(', ');
    const top = [...this.sources]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_SOURCES)
      .map(([a, n]) => `${a} ×${n}`)
      .join(', ');
    this.counts.clear();
    this.sources.clear();
    this.log('warn', `refused ${total} connection${total === 1 ? '' : 's'}: ${kinds} (from ${top})`);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
