import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGater, type Gater } from '../../gateway/index.js';
import { parseScenario } from './parse.js';
import { runScenario } from './runner.js';
import type { Scenario, StepResult } from './types.js';

const dir = fileURLToPath(new URL('../../../fixtures/scenarios/', import.meta.url));

describe('runScenario (in process, embedded)', () => {
  let gater: Gater;
  beforeEach(async () => {
    gater = await startGater();
  });
  afterEach(() => gater.stop());

  it('passes every shipped scenario, twice on the same store (repeatable thanks to {{run}})', async () => {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
      const s = parseScenario(readFileSync(join(dir, f), 'utf8'), f);
      for (let i = 0; i < 2; i++) {
        const r = await runScenario(gater.api, s, { store: 'reg_gh' });
        expect({ file: f, failed: r.steps.filter((x) => x.status !== 'pass') }).toEqual({ file: f, failed: [] });
        expect(r.passed).toBe(true);
      }
    }
  });

  it('a failed expectation fails its step and the run goes on; an unexpected error stops it', async () => {
    const seen: StepResult[] = [];
    const scenario: Scenario = {
      name: 'mixed',
      steps: [
        { step: 'append', stream: 'm-{{run}}', generate: 2 },
        { step: 'expect', stream: 'm-{{run}}', version: { min: 5 }, within: 0 },
        { step: 'expect', stream: 'm-{{run}}', events: 2, every: { stream: 'm-{{run}}' } },
        { step: 'append', stream: 'm-{{run}}', expectedVersion: 0, events: [{ eventType: 'x' }] },
        { step: 'expect', stream: 'm-{{run}}', version: 1 },
      ],
    };
    const r = await runScenario(gater.api, scenario, { store: 'reg_gh', runId: 't', onStep: (s) => seen.push(s) });
    expect(r.passed).toBe(false);
    expect(r.abortedBy).toBe('wrong_expected_version');
    expect(r.steps.map((s) => s.status)).toEqual(['pass', 'fail', 'pass', 'fail', 'skip']);
    expect(r.steps[1]).toMatchObject({
      description: 'expect stream m-t: version >= 5',
      message: 'version >= 5, got 1',
    });
    expect(r.steps[3]!.message).toMatch(/^wrong_expected_version: /);
    expect(seen).toHaveLength(5);
  });

  it('an unexpected error inside a parallel step stops the run after the parallel step; a label names a step', async () => {
    const scenario: Scenario = {
      name: 'parallel-stop',
      steps: [
        { step: 'append', stream: 'p-{{run}}', events: [{ eventType: 'x' }] },
        {
          step: 'parallel',
          steps: [
            { step: 'append', stream: 'p-{{run}}', expectedVersion: 5, events: [{ eventType: 'y' }] },
            { step: 'wait', ms: 1 },
          ],
        },
        { step: 'expect', stream: 'p-{{run}}', version: 0, label: 'still one event' },
      ],
    };
    const r = await runScenario(gater.api, scenario, { store: 'reg_gh', runId: 'p' });
    expect(r.abortedBy).toBe('wrong_expected_version');
    expect(r.steps.map((s) => [s.index, s.status])).toEqual([
      ['1', 'pass'],
      ['2', 'fail'],
      ['2.1', 'fail'],
      ['2.2', 'pass'],
      ['3', 'skip'],
    ]);
    expect(r.steps[2]).toMatchObject({ message: expect.stringMatching(/^wrong_expected_version: /) });
    expect(r.steps[4]!.description).toBe('still one event');
  });

  it('manual ack and nack steps, outcome counts and event matches report what they saw', async () => {
    const scenario: Scenario = {
      name: 'acks',
      steps: [
        {
          step: 'append',
          stream: 'a-{{run}}',
          events: [
            { eventType: 'x', data: { operator: 'John' } },
            { eventType: 'y', data: { operator: 'Paul' } },
          ],
        },
        { step: 'subscribe', id: 's', name: 'n-{{run}}', stream: 'a-{{run}}', ack: false },
        { step: 'wait', for: 's', count: 2 },
        { step: 'nack', id: 's', action: 'skip', count: 1 },
        { step: 'ack', id: 's' },
        { step: 'expect', subscription: 'n-{{run}}', checkpoint: 2 },
        { step: 'expect', subscriber: 's', every: { payload: '%{operator: "John"}' }, within: 0 },
        { step: 'expect', outcomes: ['nobody'], succeeded: 1 },
      ],
    };
    const r = await runScenario(gater.api, scenario, { store: 'reg_gh' });
    expect(r.steps.map((s) => s.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'fail', 'fail']);
    expect(r.steps[6]!.message).toMatch(
      /every event should match payload %\{operator: "John"\}, but 1 of 2 do not \(first: a-\w+:y \(v1\) \{"operator":"Paul"\}\)/,
    );
    expect(r.steps[7]!.message).toMatch(/no outcome recorded as "nobody"/);
  });
});
