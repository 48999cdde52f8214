import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY, renderConsole, type ConsoleHarness } from '../../../test/helpers/renderWithProviders.js';

describe('pick-and-act tables', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  it('observers (4): arrows select, s stops, d deletes after a y, Enter monitors', async () => {
    await c.services.createObserver('first', 'by_stream', '$all');
    await c.services.createObserver('second', 'by_event_type', 'temperature_measured:v1');
    await c.choose(4);
    await c.waitFor(/❯ first\s+by_stream/);
    await c.press(KEY.down);
    await c.waitFor(/❯ second\s+by_event_type/);
    await c.press('s');
    await c.waitFor("✅ Observer 'second' stopped");
    expect(c.services.observers.get('second')?.status).toBe('Stopped');
    await c.waitFor(/❯ second\s+by_event_type\s+\S+\s+🔴 Stopped/);
    await c.press('s');
    await c.waitFor("'second' is already stopped");
    await c.press('d');
    await c.waitFor("Delete observer 'second'? (y/N)");
    await c.press('n');
    await c.waitFor('Cancelled');
    expect(c.services.observers.get('second')).toBeDefined();
    await c.press('d');
    await c.waitFor("Delete observer 'second'? (y/N)");
    await c.press('y');
    await c.waitFor("✅ Observer 'second' deleted");
    expect(c.services.observers.list().map((o) => o.name)).toEqual(['first']);
    await c.press(KEY.enter);
    await c.waitFor('👁️  Monitoring Observer: first');
  });

  it('producers (9): s stops the selected one after a y, m monitors its stream', async () => {
    c.services.startProducers(2, { periodMs: 50 });
    await c.choose(9);
    await c.waitFor(/❯ greenhouse1\s+running/);
    await c.press(KEY.down);
    await c.waitFor(/❯ greenhouse2\s+running/);
    await c.press('s');
    await c.waitFor("Stop the producer on 'greenhouse2'? (y/N)");
    await c.press('y');
    await c.waitFor("✅ Producer for 'greenhouse2' stopped");
    expect(c.services.producers.list().map((p) => p.stream)).toEqual(['greenhouse1']);
    await c.press('m');
    await c.waitFor('👁️  Monitoring Observer: watch_greenhouse1');
    await c.waitFor(/SEEN \["greenhouse1:/);
  });
});
