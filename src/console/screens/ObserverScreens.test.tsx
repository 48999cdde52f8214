import { KEY, renderConsole, type ConsoleHarness } from '../../../test/helpers/renderWithProviders.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateGreenhouseEvents } from '../../domain/greenhouse/index.js';

const seen = (f: string) => f.split('\n').filter((l) => l.startsWith('SEEN ['));

describe('observer options (1-6)', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  const append = (stream: string, n: number) =>
    c.gater.api.appendEvents(
      'reg_gh',
      stream,
      // same data in every stream, new ids (event ids are unique per store)
      generateGreenhouseEvents(-1, n, { seed: 7 }).map(({ eventId: _id, ...e }) => e),
    );

  it('1 creates an observer by stream, with $all as the default, and re-prompts on an empty name', async () => {
    await c.choose(1);
    let f = await c.waitFor('No streams yet — start producers (7) or append events (13)');
    expect(f).not.toContain('Available streams');
    await c.back();
    await append('greenhouse2', 1);
    await c.choose(1);
    f = await c.waitFor('Available streams: ["greenhouse2"]'); // only streams that exist
    expect(f).toContain('Special streams: $all (all streams)');
    await c.waitFor('Enter stream name or $all (default $all):');
    await c.answer('');
    await c.waitFor('Enter observer name:');
    await c.answer('');
    f = await c.waitFor('❌ observer name must not be empty');
    expect(f).toContain('Enter observer name:');
    await c.answer('all_obs');
    await c.waitFor("✅ Observer 'all_obs' created for stream '$all'");
    expect(c.services.observers.list()).toMatchObject([
      { name: 'all_obs', type: 'by_stream', selector: '$all', status: 'Running' },
    ]);
  });

  it('1 accepts a bare stream name and refuses a name already running', async () => {
    await c.services.createObserver('taken', 'by_stream', '$all');
    await c.choose(1);
    await c.answer('greenhouse1');
    await c.waitFor('Enter observer name:');
    await c.answer('taken');
    await c.waitFor("❌ an observer named 'taken' is already running");
    await c.answer('gh1');
    await c.waitFor("✅ Observer 'gh1' created for stream 'greenhouse1'");
    expect(c.services.observers.get('gh1')?.selector).toBe('$greenhouse1');
  });

  it('Esc half-way through a form goes back and creates nothing', async () => {
    await c.choose(1);
    await c.answer('$all');
    await c.waitFor('Enter observer name:');
    await c.back();
    expect(c.frame()).toContain('⚠️  Cancelled — back to the menu, nothing was created');
    expect(c.services.observers.list()).toEqual([]);
  });

  it('2 lists the 14 event types and takes a number or a typed type, re-prompting on a bad number', async () => {
    await c.choose(2);
    let f = await c.waitFor('Available event types:');
    expect(f).toContain('  1. temperature_measured:v1');
    expect(f).toContain('  14. sprinkler_deactivated:v1');
    await c.answer('99');
    await c.waitFor('❌ there is no event type 99; pick 1-14 or type a name');
    await c.answer('');
    await c.waitFor('❌ type a number 1-14 from the list');
    await c.answer('1');
    f = await c.waitFor('Enter observer name:');
    expect(f).toContain('Enter event type (1-14 or a name): temperature_measured:v1');
    await c.answer('temps');
    await c.waitFor("✅ Observer 'temps' created for event type 'temperature_measured:v1'");
    await c.choose(2);
    await c.answer('initialized:v1');
    await c.waitFor('Enter observer name:');
    await c.answer('inits');
    await c.waitFor("✅ Observer 'inits' created for event type 'initialized:v1'");
  });

  it('3 shows the example patterns, takes the map syntax, and re-prompts on a bad pattern', async () => {
    await c.choose(3);
    let f = await c.waitFor('Example patterns:');
    expect(f).toContain('  %{operator: "John"}   - Events with operator John');
    expect(f).toContain('  %{intensity: _}       - Events with any intensity field');
    await c.answer('johns');
    f = await c.waitFor('Pattern:');
    expect(f).toContain('Enter payload pattern as Elixir map (e.g., %{operator: "John"})');
    await c.answer('%{operator: John}');
    await c.waitFor('❌ bad pattern: "John" is not a value; quote strings');
    await c.answer('%{operator: "John"');
    await c.waitFor('❌ bad pattern: the map is not closed');
    await c.answer('%{operator: "John"}');
    await c.waitFor('✅ Observer \'johns\' created for payload pattern {"operator":"John"}');
    expect(c.services.observers.get('johns')?.selector).toEqual({ operator: 'John' });
  });

  it('4 lists observers with type, selector, status, events seen and last event time', async () => {
    await c.choose(4);
    await c.waitFor('⚠️  No active observers');
    await c.back();
    await c.services.createObserver('all_obs', 'by_stream', '$all');
    await c.services.createObserver('johns', 'by_event_payload', { operator: 'John' });
    await append('greenhouse1', 3);
    await c.choose(4);
    const f = await c.waitFor(/all_obs\s+by_stream\s+"\$all"\s+🟢 Running\s+3\s+\d\d:\d\d:\d\d/);
    expect(f).toMatch(/Name\s+Type\s+Selector\s+Status\s+Seen\s+Last event/);
    expect(f).toMatch(/johns\s+by_event_payload\s+\{"operator":"John"\}\s+🟢 Running\s+\d+/);
  });

  it('5 refuses an unknown observer name, then monitors with live SEEN lines, pause and a highlighted filter', async () => {
    await c.choose(5);
    await c.waitFor('No active observers — create one with 1, 2 or 3 first');
    await c.back();
    await c.services.createObserver('all_obs', 'by_stream', '$all');
    await c.choose(5);
    await c.waitFor('Enter observer name to monitor:');
    await c.answer('nobody');
    await c.waitFor("❌ Observer 'nobody' not found");
    await c.answer('all_obs');
    let f = await c.waitFor('👁️  Monitoring Observer: all_obs');
    expect(f).toContain('Type: by_stream, Selector: "$all"');
    await append('greenhouse1', 2);
    await append('greenhouse2', 2);
    f = await c.waitFor((s) => seen(s).length === 4);
    expect(seen(f)[0]).toBe(
      'SEEN ["greenhouse1:initialized:v1 (v0) => ' +
        JSON.stringify((await c.gater.api.getEvents('reg_gh', 'greenhouse1', 0, 1))[0]!.data) +
        '"]',
    );
    expect(f).toMatch(/● LIVE │ [\d.]+ ev\/s │ total 4/);

    await c.press(' ');
    await c.waitFor('⏸ PAUSED');
    await append('greenhouse3', 2);
    f = await c.waitFor('⏸ PAUSED (+2 new)');
    expect(seen(f)).toHaveLength(4);
    await c.press(' ');
    f = await c.waitFor((s) => seen(s).length === 6);
    expect(f).toContain('total 6');

    await c.press('/');
    await c.waitFor('/ filter (Enter apply');
    await c.answer('greenhouse2');
    f = await c.waitFor('filter /greenhouse2/ 2 match(es)');
    expect(seen(f)).toHaveLength(2);
    expect(seen(f).every((l) => l.includes('greenhouse2'))).toBe(true);
    await c.press(KEY.escape); // clears the filter
    await c.waitFor((s) => !s.includes('filter /') && seen(s).length === 6);
    await c.back();
  });

  it('5 shows when the monitored observer stops', async () => {
    await c.services.createObserver('short', 'by_stream', '$all');
    await c.choose(5);
    await c.answer('short');
    await c.waitFor('👁️  Monitoring Observer: short');
    await c.services.stopObserver('short');
    await c.waitFor("💀 Observer 'short' is no longer running");
  });

  it('6 stops an observer, re-prompting on an unknown name', async () => {
    await c.choose(6);
    await c.waitFor('No active observers — nothing to stop');
    await c.back();
    await c.services.createObserver('all_obs', 'by_stream', '$all');
    await c.choose(6);
    await c.waitFor(/all_obs\s+by_stream/);
    await c.answer('ghost');
    await c.waitFor("❌ Observer 'ghost' not found");
    await c.answer('all_obs');
    await c.waitFor("✅ Observer 'all_obs' stopped");
    expect(c.services.observers.list()).toEqual([]);
  });

  it('5 and 6 pick with the arrows: Enter on an empty prompt takes the marked observer, no name typed', async () => {
    await c.services.createObserver('first', 'by_stream', '$all');
    await c.services.createObserver('second', 'by_event_type', 'temperature_measured:v1');
    await c.choose(5);
    await c.waitFor(/❯ first\s+by_stream/);
    expect(c.frame()).toContain('↑/↓ pick · Enter takes the marked one, or type a name');
    await c.press(KEY.down);
    await c.waitFor(/❯ second\s+by_event_type/);
    await c.answer('');
    await c.waitFor('👁️  Monitoring Observer: second');
    await c.back();
    await c.choose(6);
    await c.waitFor(/❯ first\s+by_stream/);
    await c.press(KEY.up); // wraps to the last
    await c.waitFor(/❯ second\s+by_event_type/);
    await c.answer('');
    await c.waitFor("✅ Observer 'second' stopped");
    expect(c.services.observers.get('second')).toBeUndefined();
    expect(c.services.observers.get('first')?.status).toBe('Running');
  });

  it('2 warns about an event type that is neither a greenhouse type nor seen in the store', async () => {
    await c.gater.api.appendEvents('reg_gh', 'orders', [{ eventType: 'order_placed:v1', data: {} }]);
    await c.choose(2);
    await c.answer('temperatur_measured:v1');
    await c.answer('typo');
    let f = await c.waitFor("✅ Observer 'typo' created for event type 'temperatur_measured:v1'");
    expect(f).toContain("'temperatur_measured:v1' is neither a greenhouse event type nor seen in the store yet");
    await c.choose(2);
    await c.answer('order_placed:v1');
    await c.answer('orders');
    f = await c.waitFor("✅ Observer 'orders' created for event type 'order_placed:v1'");
    expect(f).not.toContain('neither a greenhouse event type');
  });

  it('3 says that %{} matches every event', async () => {
    await c.choose(3);
    await c.answer('everything');
    await c.answer('%{}');
    const f = await c.waitFor("✅ Observer 'everything' created for payload pattern {}");
    expect(f).toContain('%{} has no keys, so it matches every event');
  });
});
