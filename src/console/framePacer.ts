/**
 * Spaces a live view's frames by time, from what a frame costs: the next frame comes no sooner than `minMs` after
 * the last, nor sooner than it takes for drawing to stay within `share` of the time. A frame (React, Ink's layout
 * and its output) costs a few ms on an idle machine, where views run at ~30 fps; on a busy one it costs more and
 * the view slows down instead of taking the event loop from producers and gateway work. Never slower than
 * `maxMs`, so a view stays alive.
 */
export class FramePacer {
  private cost = 0;

  constructor(
    readonly minMs = 33,
    readonly share = 0.1,
    readonly maxMs = 1000,
  ) {}

  /** What the last frame took, in ms. An average of the recent ones paces the next. */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.cost = this.cost === 0 ? ms : this.cost * 0.7 + ms * 0.3;
  }

  /** ms from one frame to the next. */
  get intervalMs(): number {
    return Math.min(this.maxMs, Math.max(this.minMs, this.cost / this.share));
  }
}
