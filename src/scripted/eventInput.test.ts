import { describe, expect, it } from 'vitest';
import { EventInputError, parseEventsText } from './eventInput.js';

describe('parseEventsText', () => {
  it('reads a JSON array, NDJSON (blank lines and # comments skipped) and one pretty-printed object', () => {
    expect(parseEventsText('[{"eventType":"a:v1","data":{"x":1}}]', 'f')).toEqual([
      { eventType: 'a:v1', data: { x: 1 } },
    ]);
    expect(parseEventsText('{"eventType":"a:v1"}\n\n# note\n{"type":"b:v1","metadata":{"m":1}}\n', 'f')).toEqual([
      { eventType: 'a:v1', data: {} },
      { eventType: 'b:v1', data: {}, metadata: { m: 1 } },
    ]);
    expect(
      parseEventsText('{\n  "event_type": "c:v1",\n  "event_id": "id-1",\n  "data_content_type": 2\n}', 'f'),
    ).toEqual([{ eventType: 'c:v1', data: {}, eventId: 'id-1', dataContentType: 2 }]);
  });

  it('names the source and line of what is wrong', () => {
    expect(() => parseEventsText('', 'stdin')).toThrow(/stdin holds no events/);
    expect(() => parseEventsText('{"eventType":"a"}\n{oops}', 'e.ndjson')).toThrow(/e.ndjson line 2 is not JSON/);
    expect(() => parseEventsText('[{"data":{}}]', 'f.json')).toThrow(/f.json event 1 needs "eventType"/);
    expect(() => parseEventsText('[1]', 'f.json')).toThrow(EventInputError);
    expect(() => parseEventsText('[{"eventType":"a","eventId":""}]', 'f')).toThrow(
      /eventId must be a non-empty string/,
    );
  });
});
