import type { EventRecord, LogLevel } from '../core/index.js';
import { RingBuffer } from './ringBuffer.js';

export type LineKind = 'seen' | 'received' | 'appended' | 'lifecycle' | 'info' | 'warning' | 'error';

export interface FeedLine {
  /** Monotonic per feed: React keys and "new since" checks. */
  seq: number;
  kind: LineKind;
  text: string;
  /**
   * The event the line shows (SEEN and RECEIVED lines), for the detail pane, follow and export. Held only as long
   * as the line is in its ring buffer, so a feed's memory stays bounded by its capacity.
   */
  event?: EventRecord;
}

/** Default lines kept per live view (the brief's "e.g. 500"). */
export const FEED_CAPACITY = 500;

/**
 * A bounded stream of output lines (one per observer, per subscription, and the console-wide activity).
 * Producers of lines push synchronously and cheaply; views subscribe and render on their own schedule.
 */
export class LineFeed {
  readonly buffer: RingBuffer<FeedLine>;
  private seq = 0;
  private readonly listeners = new Set<() => void>();

  constructor(capacity = FEED_CAPACITY) {
    this.buffer = new RingBuffer<FeedLine>(capacity);
  }

  /** Everything ever pushed. */
  get total(): number {
    return this.buffer.total;
  }

  push(kind: LineKind, text: string, event?: EventRecord): void {
    this.buffer.push(event ? { seq: ++this.seq, kind, text, event } : { seq: ++this.seq, kind, text });
    this.notify();
  }

  /** Lines of a batch; `events[i]`, when given, is the event `texts[i]` shows. */
  pushMany(kind: LineKind, texts: string[], events?: readonly EventRecord[]): void {
    texts.forEach((text, i) => {
      const event = events?.[i];
      this.buffer.push(event ? { seq: ++this.seq, kind, text, event } : { seq: ++this.seq, kind, text });
    });
    if (texts.length) this.notify();
  }

  /** Called after new lines arrive (not once per line for a batch). Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lines(last?: number): FeedLine[] {
    return this.buffer.toArray(last);
  }

  private notify(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        // a broken view must not stop delivery to the others
      }
    }
  }
}

export type { LogLevel };

export interface LogLine {
  seq: number;
  level: LogLevel;
  at: string;
  text: string;
}

/**
 * Where the gateway's logs go while Ink owns the terminal: writing them to stdout or stderr would tear the frame,
 * so they land here and the log pane shows the newest.
 */
export class LogStore {
  readonly buffer: RingBuffer<LogLine>;
  private seq = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    capacity = 200,
    private readonly minLevel: LogLevel | 'silent' = 'info',
  ) {
    this.buffer = new RingBuffer<LogLine>(capacity);
  }

  /** A `LogFn` for openGater. */
  readonly log = (level: LogLevel, text: string): void => {
    if (RANK[level] < RANK[this.minLevel]) return;
    this.buffer.push({ seq: ++this.seq, level, at: new Date().toISOString(), text: text.replace(/\s*\n\s*/g, ' ') });
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        // ignore a broken pane
      }
    }
  };

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lines(last?: number): LogLine[] {
    return this.buffer.toArray(last);
  }
}

const RANK: Record<LogLevel | 'silent', number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };
