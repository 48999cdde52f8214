import { KEY, renderConsole, type ConsoleHarness } from '../../../test/helpers/renderWithProviders.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateGreenhouseEvents } from '../../domain/greenhouse/index.js';

const received = (f: string) => f.split('\n').filter((l) => l.startsWith('RECEIVED ['));

describe('subscription options (10-11)', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  it('10 re-prompts on an empty name and a bad start version, then shows RECEIVED lines', async () => {
    await c.gater.api.appendEvents('reg_gh', 'greenhouse1', generateGreenhouseEvents(-1, 3, { seed: 1 }));
    await c.choose(10);
    await c.waitFor('📡 Creating Subscription');
    await c.answer('');
    await c.waitFor('❌ subscription name must not be empty');
    await c.answer('transient');
    await c.waitFor('❌ "transient" is reserved');
    await c.answer('my_subscription');
    await c.waitFor('Enter stream name or $all (default $all):');
    await c.answer('greenhouse1');
    await c.waitFor('Start from version (default 0):');
    await c.answer('first');
    await c.waitFor('❌ "first" is not a whole number; the start version');
    await c.answer('-1');
    await c.waitFor('❌ the start version must be 0 or more');
    await c.answer('1');
    await c.waitFor("✅ Subscription 'my_subscription' created");
    const f = await c.waitFor((s) => received(s).length === 2);
    expect(received(f)[0]).toMatch(/^RECEIVED \["my_subscription" "greenhouse1:[a-z_]+:v1 v\(1\) => \{.*\}"\]$/);
    expect(f).toContain('📡 Subscription: my_subscription');
    await c.back();
    expect(c.frame()).toContain("✅ Subscription 'my_subscription' created");
  });

  it('Esc half-way through 10 creates nothing', async () => {
    await c.choose(10);
    await c.answer('half');
    await c.waitFor('Enter stream name');
    await c.back();
    expect(c.frame()).toContain('Cancelled — no subscription was created');
    expect(c.services.subscriptions()).toEqual([]);
  });

  it('11 lists subscriptions with checkpoint, lag, in-flight and parked', async () => {
    await c.choose(11);
    await c.waitFor('⚠️  No active subscriptions');
    await c.back();
    await c.gater.api.appendEvents('reg_gh', 'greenhouse1', generateGreenhouseEvents(-1, 4, { seed: 2 }));
    await c.services.createSubscription('sub_all', '$all', 0);
    await c.services.createObserver('obs', 'by_stream', '$all');
    await c.choose(11);
    const f = await c.waitFor(/sub_all\s+"\$all"\s+yes\s+4\s+0\s+0\s+0\s+4\/4/);
    expect(f).toMatch(/Name\s+Selector\s+Active\s+Checkpoint\s+Lag\s+In-flight\s+Parked/);
    expect(f).toContain('(+1 transient live view(s): observers)');
  });
});

describe('option 11 as a table (pick and act) and parked events', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });
  const row = (f: string, name: string) => f.split('\n').find((l) => l.includes(`${name} `)) ?? '';

  it('s stops; the lag then moves; Enter attaches it again and opens its RECEIVED view; d deletes after a y', async () => {
    await c.gater.api.appendEvents('reg_gh', 'greenhouse1', generateGreenhouseEvents(-1, 4, { seed: 2 }));
    await c.services.createSubscription('sub_a', '$all', 0);
    await c.choose(11);
    await c.waitFor(/❯ sub_a\s+"\$all"\s+yes\s+4\s+0\s+/);
    await c.waitFor(/Enter open · s stop · d delete · p parked · \? keys/);
    await c.press('s');
    await c.waitFor("✅ Stopped 'sub_a'; it keeps its checkpoint (4), Enter attaches again");
    await c.waitFor((s) => /sub_a\s+"\$all"\s+no\s+4\s+0\s/.test(s));
    await c.press('s');
    await c.waitFor("'sub_a' is not attached by this console; nothing to stop here");
    await c.gater.api.appendEvents('reg_gh', 'greenhouse2', generateGreenhouseEvents(-1, 5, { seed: 3 }));
    await c.waitFor((s) => /sub_a\s+"\$all"\s+no\s+4\s+5 ▲5\s/.test(row(s, 'sub_a'))); // the lag moves
    await c.press(KEY.enter);
    await c.waitFor("✅ Subscription 'sub_a' attached again; it resumes from checkpoint 4");
    let f = await c.waitFor((s) => received(s).length === 5);
    expect(received(f)[0]).toMatch(/^RECEIVED \["sub_a" "greenhouse2:/);
    await c.press(KEY.escape); // back to the table, not the menu
    await c.waitFor((s) => /sub_a\s+"\$all"\s+yes\s+9\s+0\s+0\s+0\s+5\/5/.test(row(s, 'sub_a')));
    await c.press('d');
    await c.waitFor("Delete subscription 'sub_a' with its checkpoint and 0 parked event(s)? (y/N)");
    await c.press('n');
    await c.waitFor('Cancelled');
    await c.press('d');
    await c.press('y');
    await c.waitFor("✅ Subscription 'sub_a' deleted");
    await c.waitFor('⚠️  No active subscriptions');
    expect((await c.gater.api.getSubscriptions('reg_gh')).filter((s) => s.persistent)).toEqual([]);
    await c.press('?');
    f = await c.waitFor('⌨️ Keys — Subscriptions');
    expect(f).toMatch(/p\s+its parked events/);
  });

  it('p lists parked events with retries and last error; r replays the selected one, K skips all after a y', async () => {
    await c.gater.api.appendEvents('reg_gh', 'orders', generateGreenhouseEvents(-1, 3, { seed: 4 }));
    // A subscriber that parks the first two events it gets and acks the rest (and anything replayed to it).
    const handle = await c.gater.api.subscribe('reg_gh', 'by_stream', '$all', { name: 'parky', startFrom: 0 });
    const replayed: number[] = [];
    let parked = 0;
    void (async () => {
      for await (const e of handle) {
        if (parked < 2 && !replayed.length && e.eventNumber < 2) {
          parked++;
          await handle.nack(e, 'park');
        } else {
          if (e.eventNumber < 2) replayed.push(e.eventNumber);
          await handle.ack(e);
        }
      }
    })();
    await c.choose(11);
    await c.waitFor(/❯ parky\s+"\$all"\s+yes\s+\d+\s+\d+\s+0\s+2\s/);
    await c.press('p');
    const f = await c.waitFor("🅿️ Parked events of 'parky' (2)");
    expect(f).toMatch(/Position\s+Event\s+Retries\s+Last error\s+Parked at/);
    expect(f).toMatch(/❯ 0\s+orders #0\s+0\s+nack_park\s+\d{4}-\d\d-\d\dT/);
    expect(f).toMatch(/ {2}1\s+orders #1\s+0\s+nack_park/);
    await c.press(KEY.down);
    await c.press('r');
    await c.waitFor("✅ Replayed 1 event (position 1) to 'parky'");
    await c.waitFor("🅿️ Parked events of 'parky' (1)");
    await c.waitFor(() => replayed.includes(1));
    await c.press('k'); // here k skips (asks first) rather than moving up as in other tables
    await c.waitFor('Skip orders #0 for good? (y/N)');
    await c.press('n');
    await c.waitFor('Cancelled');
    await c.press('K');
    await c.waitFor("Skip all 1 parked event(s) of 'parky' for good? (y/N)");
    await c.press('y');
    await c.waitFor('✅ Skipped 1 event');
    await c.waitFor("⚠️  No parked events for 'parky'");
    expect(await c.gater.api.listParked('reg_gh', 'parky')).toEqual([]);
    await c.press(KEY.escape);
    await c.waitFor(/parky\s+"\$all"\s+yes\s+3\s+0\s+0\s+0\s/);
    await handle.close();
  });
});
