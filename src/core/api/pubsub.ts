/** A batch as delivered on a topic (reference §4.7, DESIGN §4.7). */
export interface EventsMessage<E = unknown> {
  events: E[];
}

type Listener = (msg: unknown) => void;

/**
 * Local topics `"<store>:<sub_topic>"` (the gateway's stand-in for Phoenix.PubSub `:ex_esdb_events`).
 * A throwing listener never stops delivery to the others.
 */
export class PubSub {
  private readonly topics = new Map<string, Set<Listener>>();

  constructor(private readonly onListenerError: (topic: string, e: unknown) => void = () => {}) {}

  subscribe<M = unknown>(topic: string, listener: (msg: M) => void): () => void {
    let set = this.topics.get(topic);
    if (!set) {
      set = new Set();
      this.topics.set(topic, set);
    }
    set.add(listener as Listener);
    return () => {
      set.delete(listener as Listener);
      if (set.size === 0 && this.topics.get(topic) === set) this.topics.delete(topic);
    };
  }

  /** Delivers to every listener of the topic; returns how many there were. */
  publish(topic: string, msg: unknown): number {
    const set = this.topics.get(topic);
    if (!set) return 0;
    for (const l of [...set]) {
      try {
        l(msg);
      } catch (e) {
        this.onListenerError(topic, e);
      }
    }
    return set.size;
  }

  listenerCount(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }
}
