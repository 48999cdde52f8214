import { renderConsole, type ConsoleHarness } from '../../../test/helpers/renderWithProviders.js';
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
