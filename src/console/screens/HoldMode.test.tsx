import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderConsole, type ConsoleHarness } from '../../../test/helpers/renderWithProviders.js';

describe("a subscription's RECEIVED view in hold mode (h): shown, not acked, until decided", () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  const received = (f: string) => f.split('\n').filter((l) => l.startsWith('RECEIVED'));

  it('holds events, parks the oldest, acks the next, releases the rest; the store sees each decision', async () => {
    await c.press(':');
    await c.waitFor('Command (the scripted');
    await c.answer('subscribe --name h1 --stream s1');
    await c.waitFor('📡 Subscription: h1');
    await c.press('h');
    await c.waitFor('✅ Holding: new events are shown, not acknowledged');
    const sub = c.services.subscription('h1')!;
    await c.gater.api.appendEvents(
      'reg_gh',
      's1',
      [1, 2, 3].map((n) => ({ eventType: 'n:v1', data: { n } })),
    );
    await c.waitFor((f) => received(f).length === 3 && f.includes('✋ HOLD 3 held'));
    expect(sub.acked).toBe(0);

    await c.press('x'); // no selection: the oldest held event
    await c.waitFor('✅ s1:v0 parked');
    await c.press('a');
    await c.waitFor('✅ s1:v1 acknowledged');
    expect(sub.held.size).toBe(1);
    await c.press('h');
    await c.waitFor('✅ Released: 1 held event acknowledged');
    expect(sub.acked).toBe(2);
    expect((await c.gater.api.listParked('reg_gh', 'h1')).map((p) => p.eventNumber)).toEqual([0]);
    await c.press('a');
    await c.waitFor('h holds events first');

    // Events after the release are acked as they are shown again.
    await c.gater.api.appendEvents('reg_gh', 's1', [{ eventType: 'n:v1', data: { n: 4 } }]);
    await c.waitFor((f) => received(f).length === 4);
    await expect.poll(() => sub.acked).toBe(3);
  });

  it('retry sends a held event back: it is delivered again and held again', async () => {
    await c.press(':');
    await c.waitFor('Command (the scripted');
    await c.answer('subscribe --name h2 --stream s2');
    await c.waitFor('📡 Subscription: h2');
    await c.press('h');
    await c.waitFor('✅ Holding');
    await c.gater.api.appendEvents('reg_gh', 's2', [{ eventType: 'n:v1', data: { n: 1 } }]);
    await c.waitFor((f) => received(f).length === 1);
    await c.press('n');
    await c.waitFor('✅ s2:v0 sent back for redelivery');
    await c.waitFor((f) => received(f).length === 2 && f.includes('✋ HOLD 1 held'));
    await c.press('k');
    await c.waitFor('✅ s2:v0 skipped');
    await c.press('k');
    await c.waitFor('no event is held');
  });
});
