import { streamOfSelector, type GaterApi, type Selector, type SubscriptionType } from '../core/index.js';

/**
 * Where a live-only view starts: just after the stream's last event for `$<stream>`, just after the store's head
 * otherwise (the same rule as ObserverRegistry, so a new view does not replay the whole store).
 */
export async function liveStart(
  api: GaterApi,
  store: string,
  type: SubscriptionType,
  selector: Selector,
): Promise<number> {
  const stream = streamOfSelector(type, selector);
  if (stream !== undefined) return (await api.getVersion(store, stream)) + 1;
  return (await api.getHeadPosition(store)) + 1;
}
