import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_EVENT_BYTES, eventsToSend, validateEvents } from './eventValidation.js';
import { GaterError } from './errors.js';

const ev = (eventId?: string, data: unknown = {}) => ({ eventType: 't:v1', data, ...(eventId ? { eventId } : {}) });
const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('validateEvents', () => {
  it('refuses a batch holding an id twice, naming the first repeat, in any order of ids', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), { maxLength: 12 }), (ids) => {
        const firstRepeat = ids.findIndex((id, i) => ids.indexOf(id) < i);
        const msg = messageOf(() => validateEvents(ids.map((id) => ev(id))));
        if (firstRepeat < 0) expect(msg).toBe('no error');
        else expect(msg).toContain(`events[${firstRepeat}].eventId "${ids[firstRepeat]}" appears twice`);
      }),
    );
  });

  it('gives fresh, distinct, increasing ids to events without one', () => {
    const out = validateEvents([ev(), ev('zzz'), ev(), ev()]);
    expect(out[1]!.eventId).toBe('zzz');
    const fresh = [out[0]!.eventId, out[2]!.eventId, out[3]!.eventId];
    expect(new Set(fresh).size).toBe(3);
    expect(fresh[0]! < fresh[1]! && fresh[1]! < fresh[2]!).toBe(true);
  });

  it('names the field and the path inside it when a value is not JSON', () => {
    expect(messageOf(() => validateEvents([ev(), ev(undefined, { a: [1, { b: NaN }] })]))).toMatch(
      /^events\[1\]\.data\.a\[1\]\.b holds NaN/,
    );
    expect(messageOf(() => validateEvents([{ eventType: 't', data: {}, metadata: { when: new Date() } }]))).toMatch(
      /^events\[0\]\.metadata\.when is a Date/,
    );
    expect(messageOf(() => validateEvents([ev(), { eventType: '', data: {} }]))).toMatch(
      /^events\[1\]\.eventType must be a non-empty string/,
    );
    expect(messageOf(() => validateEvents([{ eventType: 't', data: {}, dataContentType: -1 }]))).toMatch(
      /^events\[0\]\.dataContentType must be an integer/,
    );
    expect(messageOf(() => validateEvents([{ eventType: 't', data: {}, eventId: 'a\ud800' }]))).toMatch(
      /^events\[0\]\.eventId contains a lone UTF-16 surrogate/,
    );
  });

  it('refuses nesting deeper than 64 levels, numbers included', () => {
    const nest = (n: number): unknown => (n === 0 ? 1 : [nest(n - 1)]);
    expect(() => validateEvents([ev(undefined, nest(64))])).not.toThrow();
    expect(messageOf(() => validateEvents([ev(undefined, nest(65))]))).toContain('nested deeper than 64 levels');
  });

  it('measures an event near the size limit exactly: escaped-looking text that fits is kept, too much is refused', () => {
    // 6 bytes per character is the estimate; plain ASCII takes 1, so this passes only through the exact measure
    const fits = 'x'.repeat(MAX_EVENT_BYTES - 100);
    expect(validateEvents([ev(undefined, fits)])[0]!.data).toBe(fits);
    const e = (() => {
      try {
        validateEvents([ev(), ev(undefined, 'x'.repeat(MAX_EVENT_BYTES))]);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(GaterError);
    expect((e as GaterError).code).toBe('payload_too_large');
    expect((e as GaterError).message).toMatch(/^events\[1\] is \d+ bytes of JSON/);
  });

  it('copies and freezes data unless told the input is already private', () => {
    const data = { a: { b: [1] } };
    const [copied] = validateEvents([ev(undefined, data)]);
    expect(copied!.data).toEqual(data);
    expect(copied!.data).not.toBe(data);
    expect(Object.isFrozen((copied!.data as typeof data).a.b)).toBe(true);
    const [same] = validateEvents([ev(undefined, data)], { copy: false });
    expect(same!.data).toBe(data);
  });
});

describe('eventsToSend (the gateway side)', () => {
  it('returns frozen checked copies, adding only a missing id, with the same checks', () => {
    const given = { eventType: 't:v1', data: { a: [1] }, eventId: 'mine', metadata: null, dataContentType: 2 };
    const bare = { eventType: 't:v1', data: { b: 2 } };
    const sent = eventsToSend([given, bare]);
    const [a, b] = sent;
    expect(a).toEqual(given);
    expect(Object.keys(b!).sort()).toEqual(['data', 'eventId', 'eventType']); // no defaults filled in
    expect(b!.data).toEqual(bare.data);
    expect(b!.data).not.toBe(bare.data);
    expect([sent, a, b, a!.data, (a!.data as { a: number[] }).a].every(Object.isFrozen)).toBe(true);
    expect(typeof b!.eventId).toBe('string');
    expect(messageOf(() => eventsToSend([bare, { eventType: 't', data: { x: Infinity } }]))).toMatch(
      /^events\[1\]\.data\.x holds Infinity/,
    );
  });

  it('a node in the same process takes its batch with the defaults filled in, as checking it again would give', () => {
    const events = [
      { eventType: 't:v1', data: { a: 1 }, eventId: 'e1' },
      { eventType: 't:v1', data: [], metadata: { m: 'x' }, metadataContentType: 3, eventId: 'e2' },
    ];
    expect(validateEvents(eventsToSend(events))).toEqual(validateEvents(events));
  });

  it('only its own batches pass unchecked: a frozen look-alike is checked in full', () => {
    const forged = Object.freeze([Object.freeze({ eventType: 't:v1', data: Object.freeze({ x: NaN }) })]);
    expect(messageOf(() => validateEvents(forged))).toMatch(/^events\[0\]\.data\.x holds NaN/);
  });
});
