import { describe, expect, it } from 'vitest';
import { isValid } from 'ulid';
import { generateGreenhouseEvents } from './generator.js';
import { GREENHOUSE_EVENT_TYPES, OPERATORS } from './eventTypes.js';

describe('greenhouse generator', () => {
  it('a new stream (version -1) starts with initialized:v1; later batches never contain it', () => {
    const first = generateGreenhouseEvents(-1, 5, { seed: 7 });
    expect(first[0]!.eventType).toBe('initialized:v1');
    expect(first[0]!.data).toEqual({
      temperature: expect.any(Number),
      humidity: expect.any(Number),
      light: expect.any(Number),
    });
    expect(first.slice(1).every((e) => e.eventType !== 'initialized:v1')).toBe(true);
    expect(generateGreenhouseEvents(0, 200, { seed: 8 }).some((e) => e.eventType === 'initialized:v1')).toBe(false);
    expect(generateGreenhouseEvents(4, 0)).toEqual([]);
  });

  it('same seed, same events (ids included); different seeds differ', () => {
    expect(generateGreenhouseEvents(3, 50, { seed: 'abc' })).toEqual(generateGreenhouseEvents(3, 50, { seed: 'abc' }));
    expect(generateGreenhouseEvents(3, 50, { seed: 1 })).not.toEqual(generateGreenhouseEvents(3, 50, { seed: 2 }));
  });

  it('types, value ranges, operators, content types, ULID ids, causation/correlation metadata', () => {
    const events = generateGreenhouseEvents(10, 3000, { seed: 42 });
    const types = new Set(events.map((e) => e.eventType));
    expect([...types].sort()).toEqual([...GREENHOUSE_EVENT_TYPES].sort());
    const operators = new Set<string>();
    for (const e of events) {
      const d = e.data as Record<string, number | string>;
      expect(isValid(e.eventId!)).toBe(true);
      expect([1, 2, 3]).toContain(e.dataContentType);
      const m = e.metadata as { causation_id: string; correlation_id: string };
      expect(isValid(m.causation_id) && isValid(m.correlation_id)).toBe(true);
      if ('temperature' in d) {
        expect(d.temperature).toBeGreaterThanOrEqual(6);
        expect(d.temperature).toBeLessThanOrEqual(35);
      }
      for (const k of ['humidity', 'light', 'intensity'] as const) {
        if (k in d) {
          expect(d[k]).toBeGreaterThanOrEqual(1);
          expect(d[k]).toBeLessThanOrEqual(100);
        }
      }
      if (e.eventType.endsWith('activated:v1')) expect(Object.keys(d)).toEqual(['intensity']);
      if (e.eventType.startsWith('desired_')) operators.add(d.operator as string);
    }
    expect([...operators].sort()).toEqual([...OPERATORS].sort());
    // every event but the first of a batch is caused by its predecessor
    expect((events[1]!.metadata as { causation_id: string }).causation_id).toBe(events[0]!.eventId);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  });
});
