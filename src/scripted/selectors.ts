import { parsePattern, PatternError, type Selector, type SubscriptionType } from '../core/index.js';

/** The console's selector choices as scripted flags: one of stream, event type, payload or record pattern. */
export interface SelectorFlags {
  stream?: string;
  type?: string;
  payload?: string | Record<string, unknown>;
  pattern?: string | Record<string, unknown>;
}

export interface SubscriptionTarget {
  type: SubscriptionType;
  selector: Selector;
  /** For messages: `$all`, `type temperature_measured:v1`, `payload {"operator":"John"}`. */
  label: string;
}

/** Thrown for a bad combination or a pattern that does not parse; the CLI maps it to exit 2. */
export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}

/** Turns the flags into a subscription type and selector; no flag means `$all`. */
export function selectorFromFlags(flags: SelectorFlags): SubscriptionTarget {
  const given = (['stream', 'type', 'payload', 'pattern'] as const).filter((k) => flags[k] !== undefined);
  if (given.length > 1) {
    throw new SelectorError(`choose one selector: --${given.join(' or --')} (a subscription filters by one thing)`);
  }
  if (flags.type !== undefined) {
    if (!flags.type) throw new SelectorError('--type needs an event type such as temperature_measured:v1');
    return { type: 'by_event_type', selector: flags.type, label: `type ${flags.type}` };
  }
  if (flags.payload !== undefined) {
    const p = toPattern(flags.payload, '--payload');
    return { type: 'by_event_payload', selector: p, label: `payload ${JSON.stringify(p)}` };
  }
  if (flags.pattern !== undefined) {
    const p = toPattern(flags.pattern, '--pattern');
    return { type: 'by_event_pattern', selector: p, label: `pattern ${JSON.stringify(p)}` };
  }
  const raw = flags.stream ?? '$all';
  if (!raw || raw === '$') throw new SelectorError('--stream needs a stream id such as greenhouse1, or $all');
  const stream = raw.startsWith('$') ? raw : `$${raw}`;
  return { type: 'by_stream', selector: stream, label: stream };
}

function toPattern(v: string | Record<string, unknown>, flag: string): Record<string, unknown> {
  if (typeof v !== 'string') return v;
  try {
    return parsePattern(v);
  } catch (e) {
    if (e instanceof PatternError) {
      throw new SelectorError(
        `${flag}: ${e.message}; write e.g. '%{operator: "John"}' or '{"operator":"John"}' (_ matches any value)`,
      );
    }
    throw e;
  }
}
