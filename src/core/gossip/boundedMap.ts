/** Maps iterate in insertion order, so the first key is the oldest entry: evicts from the front down to `max - 1`. */
export function evictOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size >= max) {
    const first = map.keys().next();
    if (first.done) return;
    map.delete(first.value);
  }
}
