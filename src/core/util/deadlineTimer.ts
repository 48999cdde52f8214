/**
 * One timer for the deadlines of many calls in flight, armed for the earliest. Setting and clearing a timer per call
 * was a visible share of a small call's round trip, on the embedded link and over TCP alike. When the timer fires,
 * `expire(now)` fails what is overdue and returns the earliest deadline still waiting (Infinity: none), and the
 * timer is armed again for it. A deadline that moves later never re-arms the timer: if it fires early, `expire`
 * finds nothing overdue and returns the new deadline. Deadlines are performance.now() times.
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private holding = false;

  constructor(private readonly expire: (now: number) => number) {}

  /** Makes sure the timer fires by `deadline`. */
  arm(deadline: number): void {
    if (deadline >= this.armedFor) return;
    clearTimeout(this.timer);
    this.armedFor = deadline;
    // Rounded up: a timer that fires a fraction early would find nothing overdue and spin once more.
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(deadline - performance.now())));
    if (!this.holding) this.timer.unref();
  }

  /**
   * Whether the timer keeps the process alive: while calls wait that nothing else keeps alive (an in-process link;
   * a TCP connection's socket does it for its calls). Off by default, so an idle owner never holds the process.
   */
  holdOpen(on: boolean): void {
    this.holding = on;
    if (on) this.timer?.ref();
    else this.timer?.unref();
  }

  /** Stops the timer (the owner failed or dropped every call). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const next = this.expire(performance.now());
    if (next !== Infinity) this.arm(next);
  };
}
