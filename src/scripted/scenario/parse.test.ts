import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { instantiate, parseScenario, ScenarioFileError } from './parse.js';

const dir = fileURLToPath(new URL('../../../fixtures/scenarios/', import.meta.url));
const bad = (steps: unknown[]) => () => parseScenario(JSON.stringify({ name: 'x', steps }), 'x.json');

describe('parseScenario', () => {
  it('accepts every shipped scenario', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(5);
    for (const f of files) expect(parseScenario(readFileSync(join(dir, f), 'utf8'), f).steps.length).toBeGreaterThan(0);
  });

  it('names the step and field that are wrong', () => {
    expect(() => parseScenario('{', 'a.json')).toThrow(/a.json is not valid JSON/);
    expect(() => parseScenario('{"name":"x","steps":[],"extra":1}', 'a.json')).toThrow(
      /unknown top-level field "extra"/,
    );
    expect(bad([{ step: 'teleport' }])).toThrow(/step 1 has "step": "teleport"; use one of append, produce/);
    expect(bad([{ step: 'append', stream: 's' }])).toThrow(
      /step 1 \(append\) needs exactly one of "events" or "generate"/,
    );
    expect(bad([{ step: 'append', stream: 's', generate: 1, expectedVersion: -2 }])).toThrow(
      /expectedVersion must be "any"/,
    );
    expect(bad([{ step: 'append', stream: 's', generate: 1, expect: { verison: 1 } }])).toThrow(
      /expect.verison is not a known field/,
    );
    expect(bad([{ step: 'produce', producers: 2 }])).toThrow(/needs "events" or "duration"/);
    expect(bad([{ step: 'observe', id: 'o', stream: 's', type: 't' }])).toThrow(
      /has stream and type: choose one selector/,
    );
    expect(bad([{ step: 'observe', id: 'o', payload: '%{operator: John}' }])).toThrow(/payload is not a pattern/);
    expect(bad([{ step: 'wait', for: 'o' }])).toThrow(/with "for" needs "count" or "acked"/);
    expect(bad([{ step: 'expect', observer: 'o' }])).toThrow(/checks nothing/);
    expect(bad([{ step: 'expect', count: 3 }])).toThrow(/needs one of "observer"/);
    expect(bad([{ step: 'expect', observer: 'o', count: { atLeast: 1 } }])).toThrow(
      /count.atLeast is not a count bound/,
    );
    expect(
      bad([
        {
          step: 'parallel',
          steps: [
            { step: 'observe', id: 'a' },
            { step: 'wait', ms: 1 },
          ],
        },
      ]),
    ).toThrow(/step 1.1 \(observe\) cannot run in parallel/);
    expect(bad([{ step: 'nack', id: 'a', action: 'drop' }])).toThrow(ScenarioFileError);
  });

  it('fills {{run}} in every string', () => {
    expect(instantiate({ a: 'x-{{run}}', b: ['{{run}}', 1], c: { d: '{{other}}' } }, { run: 'r1' })).toEqual({
      a: 'x-r1',
      b: ['r1', 1],
      c: { d: '{{other}}' },
    });
  });
});
