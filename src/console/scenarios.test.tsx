import { renderConsole, type ConsoleHarness } from '../../test/helpers/renderWithProviders.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * The console guide's four testing scenarios, each driven through the UI as a tester would: basic event flow,
 * event-type filtering, a payload pattern showing only John's actions, and a subscription with acknowledgement.
 */
const lines = (f: string, prefix: string) => f.split('\n').filter((l) => l.startsWith(prefix));

describe('console guide scenarios', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  /** Option 7 with 3 producers, batch 1, a short period so events flow within the test. */
  async function startProducers(periodMs: number) {
    await c.choose(7);
    await c.answer('3');
    await c.waitFor('Batch size');
    await c.answer('1');
    await c.waitFor('Period between');
    await c.answer(String(periodMs));
    await c.waitFor('✅ Started 3 producers');
  }

  async function monitor(name: string) {
    await c.choose(5);
    await c.waitFor('Enter observer name to monitor:');
    await c.answer(name);
    await c.waitFor(`👁️  Monitoring Observer: ${name}`);
  }

  it('basic event flow: producers → observer on $all → SEEN lines from every stream', async () => {
    await startProducers(20);
    await c.choose(1);
    await c.answer('$all');
    await c.waitFor('Enter observer name:');
    await c.answer('all_events');
    await c.waitFor("✅ Observer 'all_events' created for stream '$all'");
    await monitor('all_events');
    const f = await c.waitFor((s) =>
      ['greenhouse1', 'greenhouse2', 'greenhouse3'].every((g) =>
        lines(s, 'SEEN [').some((l) => l.startsWith(`SEEN ["${g}:`)),
      ),
    );
    for (const l of lines(f, 'SEEN [')) expect(l).toMatch(/^SEEN \["greenhouse[123]:[a-z_]+:v1 \(v\d+\) => \{.*\}"\]$/);
  });

  it('event-type filtering: an observer on temperature_measured:v1 sees only temperatures', async () => {
    await startProducers(5);
    await c.choose(2);
    await c.answer('1'); // temperature_measured:v1
    await c.waitFor('Enter observer name:');
    await c.answer('temps');
    await c.waitFor("✅ Observer 'temps' created for event type 'temperature_measured:v1'");
    await monitor('temps');
    const f = await c.waitFor((s) => lines(s, 'SEEN [').length >= 3, 10_000);
    for (const l of lines(f, 'SEEN ['))
      expect(l).toMatch(/^SEEN \["greenhouse\d:temperature_measured:v1 \(v\d+\) => \{"temperature":\d+\}"\]$/);
  });

  it('payload pattern {operator: "John"}: only John\'s actions are shown', async () => {
    await startProducers(5);
    await c.choose(3);
    await c.answer('johns_actions');
    await c.waitFor('Pattern:');
    await c.answer('{operator: "John"}');
    await c.waitFor('✅ Observer \'johns_actions\' created for payload pattern {"operator":"John"}');
    await monitor('johns_actions');
    const f = await c.waitFor((s) => lines(s, 'SEEN [').length >= 2, 15_000);
    for (const l of lines(f, 'SEEN ['))
      expect(l).toMatch(
        /^SEEN \["greenhouse\d:desired_(temperature|humidity|light)_set:v1 \(v\d+\) => \{.*"operator":"John".*\}"\]$/,
      );
    // Others acted too; the observer left them out.
    const all = (
      await Promise.all(
        ['greenhouse1', 'greenhouse2', 'greenhouse3'].map((s) => c.gater.api.getEvents('reg_gh', s, 0, 10_000)),
      )
    ).flat();
    expect(
      all.some(
        (e) => (e.data as { operator?: string }).operator && (e.data as { operator?: string }).operator !== 'John',
      ),
    ).toBe(true);
  });

  it('subscription with acknowledgement: RECEIVED lines are acked and the checkpoint follows', async () => {
    await c.choose(13);
    await c.answer('greenhouse1');
    await c.answer('6');
    await c.waitFor('Event type');
    await c.answer('');
    await c.waitFor("✅ Appended 6 events to 'greenhouse1'");
    await c.choose(10);
    await c.answer('my_subscription');
    await c.waitFor('Enter stream name');
    await c.answer('greenhouse1');
    await c.waitFor('Start from version');
    await c.answer('0');
    const f = await c.waitFor((s) => lines(s, 'RECEIVED [').length === 6);
    expect(lines(f, 'RECEIVED [')[0]).toMatch(
      /^RECEIVED \["my_subscription" "greenhouse1:initialized:v1 v\(0\) => \{"temperature":/,
    ); // the row is cut at 100 columns
    await c.back();
    await c.choose(11);
    await c.waitFor(/my_subscription\s+"\$greenhouse1"\s+yes\s+6\s+0\s+0\s+0\s+6\/6/);
    const sub = (await c.gater.api.getSubscriptions('reg_gh')).find((s) => s.name === 'my_subscription');
    expect(sub).toMatchObject({ checkpoint: 6, inFlight: 0, parked: 0, lag: 0 });
  });
});
