import { performance } from 'node:perf_hooks';

/** Default shortest time between two NOTIFYs of one store by one node (ms). */
export const NOTIFY_WINDOW_MS = 2;

/**
 * Decides which appends of one store NOTIFY (the other nodes' followers re-read from their cursor on any
 * notification, so one covers every append committed before it):
 *
 * - At most one notifying statement in flight per store and node. PostgreSQL serialises the commits of notifying
 *   transactions (a global lock held through the commit's WAL flush), so if every append notified, writers of
 *   different streams would take turns again.
 * - At most one NOTIFY per window (2 ms): every notification also wakes each listening backend and node, whose work
 *   cost as much CPU as a third of the append itself on this 2-core machine. The next append after the window
 *   notifies and so covers those before it; followers on other nodes hear of an append at most a window late.
 * - A NOTIFY of its own (a transaction that must flush WAL to commit) only when appends stop with some unannounced:
 *   two windows after the last notification began, if no append took the turn meanwhile. Before, a NOTIFY of its own followed
 *   every append that committed while another notified, and kept itself going: with one writer, two appends in
 *   three were followed by one.
 */
export class NotifyGate {
  private inFlight = false;
  /** When the last notifying statement began (-Infinity: never). */
  private lastAt = -Infinity;
  /** Appends committed that no notification sent after them covers yet, and their count so far (ever). */
  private owed = false;
  private owedCount = 0;
  /** owedCount when the notifying statement in flight began: it covers the appends counted by then. */
  private covers = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /**
   * @param notify sends one NOTIFY for the store (its failure is ignored: the next append notifies again).
   * @param windowMs shortest time between two notifications.
   * @param now clock (ms), for tests.
   */
  constructor(
    private readonly notify: () => Promise<void>,
    private readonly windowMs = NOTIFY_WINDOW_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether the append about to start should NOTIFY itself. */
  begin(): boolean {
    if (this.inFlight || this.closed || this.now() - this.lastAt < this.windowMs) return false;
    this.start();
    return true;
  }

  /** @param notified what begin() answered for this append; @param wrote whether it committed events. */
  end(notified: boolean, wrote: boolean): void {
    if (notified) this.finish(wrote);
    else if (wrote) {
      this.owed = true;
      this.owedCount++;
    }
    this.schedule();
  }

  /** Sends the NOTIFY still owed, if any, now (the storage is closing: no later append will). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.owed) await this.notify().catch(() => {});
    this.owed = false;
  }

  private start(): void {
    this.inFlight = true;
    this.lastAt = this.now();
    this.covers = this.owedCount;
  }

  /** The notifying statement ended; when it committed, it announced every append counted before it began. */
  private finish(sent: boolean): void {
    this.inFlight = false;
    if (!sent)
      this.lastAt = -Infinity; // nothing was announced: the next append may notify at once
    else if (this.owedCount === this.covers) this.owed = false;
  }

  /** Arms the timer for a NOTIFY of its own: two windows after the last notification began. */
  private schedule(): void {
    if (!this.owed || this.inFlight || this.timer || this.closed) return;
    const delay = Math.ceil(Math.max(0, this.lastAt + 2 * this.windowMs - this.now()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delay);
    this.timer.unref();
  }

  private flush(): void {
    if (!this.owed || this.inFlight || this.closed) return this.schedule();
    if (this.now() - this.lastAt < 2 * this.windowMs) return this.schedule(); // appends still take turns
    this.start();
    void this.notify()
      .catch(() => {
        this.owed = false; // ignored: the next append notifies again (a server that is down fails it too)
      })
      .finally(() => {
        this.finish(true);
        this.schedule();
      });
  }
}
