import { describe, expect, it } from 'vitest';
import { SelectorError, selectorFromFlags } from './selectors.js';

describe('selectorFromFlags', () => {
  it('maps the console selectors to subscription types; no flag is $all and a bare stream gets its $', () => {
    expect(selectorFromFlags({})).toEqual({ type: 'by_stream', selector: '$all', label: '$all' });
    expect(selectorFromFlags({ stream: 'greenhouse1' })).toMatchObject({ type: 'by_stream', selector: '$greenhouse1' });
    expect(selectorFromFlags({ type: 'fan_activated:v1' })).toMatchObject({
      type: 'by_event_type',
      selector: 'fan_activated:v1',
    });
    expect(selectorFromFlags({ payload: '%{operator: "John", intensity: _}' })).toMatchObject({
      type: 'by_event_payload',
      selector: { operator: 'John', intensity: '_' },
    });
    expect(selectorFromFlags({ pattern: '{"eventType":"a:v1"}' })).toMatchObject({
      type: 'by_event_pattern',
      selector: { eventType: 'a:v1' },
    });
    expect(selectorFromFlags({ payload: { operator: 'Paul' } })).toMatchObject({ selector: { operator: 'Paul' } });
  });

  it('refuses two selectors at once and patterns that do not parse, with a usable hint', () => {
    expect(() => selectorFromFlags({ stream: 's', type: 't' })).toThrow(/choose one selector: --stream or --type/);
    expect(() => selectorFromFlags({ payload: '%{operator: John}' })).toThrow(SelectorError);
    expect(() => selectorFromFlags({ payload: '%{operator: John}' })).toThrow(/--payload: .*%\{operator: "John"\}/);
    expect(() => selectorFromFlags({ stream: '$' })).toThrow(/--stream needs a stream id/);
  });
});
