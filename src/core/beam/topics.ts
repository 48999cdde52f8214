import type { Selector, SubscriptionType } from '../types.js';

/** ExESDB's SubTopic for a subscription (ExESDB.Topics, §2.1); pattern/payload topics also need the map's hash. */
export function exesdbTopic(type: SubscriptionType, name: string, selector: Selector, hash = '?'): string {
  switch (type) {
    case 'by_stream':
      if (name === 'all-events' && selector === '$all') return '$all';
      return name === 'transient' ? String(selector) : `$${name}`;
    case 'by_event_type':
      return name === 'transient' ? String(selector) : `*${name}-${String(selector)}`;
    case 'by_event_pattern':
      return `evt-pat-${name}-${hash}`;
    case 'by_event_payload':
      return `evt-pay-${name}-${hash}`;
  }
}
