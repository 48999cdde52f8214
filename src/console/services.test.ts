import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateGreenhouseEvents } from '../domain/greenhouse/index.js';
import { startGater, type Gater } from '../gateway/index.js';
import { itemForInput, MENU_ITEMS } from './menu.js';
import { ConsoleServices } from './services.js';
import { splitMatches } from './components/LiveLog.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ConsoleServices', () => {
  let gater: Gater;
  let services: ConsoleServices;
  beforeEach(async () => {
    gater = await startGater();
    services = new ConsoleServices(gater);
  });
  afterEach(async () => {
    await services.shutdown();
    await gater.stop();
  });

  it('observers write SEEN lines to their feed and to the activity feed', async () => {
    await services.createObserver('o', 'by_stream', '$all');
    await gater.api.appendEvents('reg_gh', 'greenhouse1', [
      { eventType: 'temperature_measured:v1', data: { temperature: 23 } },
    ]);
    await vi.waitUntil(() => services.observerFeed('o')!.lines().length > 0, { timeout: 10_000 });
    expect(
      services
        .observerFeed('o')!
        .lines()
        .map((l) => l.text),
    ).toEqual(['SEEN ["greenhouse1:temperature_measured:v1 (v0) => {"temperature":23}"]']);
    expect(services.activity.lines().map((l) => l.text)).toEqual([
      'OBSERVER [o] for ["reg_gh:$all"] is UP!',
      'SEEN ["greenhouse1:temperature_measured:v1 (v0) => {"temperature":23}"]',
    ]);
  });

  it('producers announce themselves and print APPENDED lines in the reference shape', async () => {
    services.startProducers(1, { periodMs: 10 });
    await vi.waitUntil(() => services.activity.lines().length >= 2, { timeout: 10_000 });
    const texts = services.activity.lines().map((l) => l.text);
    expect(texts[0]).toBe('PRODUCER [greenhouse1] for [:reg_gh:greenhouse1] is UP!');
    expect(texts[1]).toBe('APPENDED ["1 event(s) to :reg_gh:greenhouse1.v(0)"]');
  });

  it('a subscription acks every event it shows, so its checkpoint follows', async () => {
    await gater.api.appendEvents('reg_gh', 'greenhouse1', generateGreenhouseEvents(-1, 3, { seed: 1 }));
    const sub = await services.createSubscription('s', 'greenhouse1', 0);
    await vi.waitUntil(() => sub.acked >= 3, { timeout: 10_000 });
    expect(sub.received).toBe(3);
    expect(sub.acked).toBe(3);
    expect(sub.feed.lines()[0]!.text).toMatch(/^RECEIVED \["s" "greenhouse1:initialized:v1 v\(0\) => /);
    const info = (await gater.api.getSubscriptions('reg_gh')).find((s) => s.name === 's');
    expect(info).toMatchObject({ checkpoint: 3, inFlight: 0 });
    await expect(services.createSubscription('s', '$all', 0)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(services.createSubscription(' ', '$all', 0)).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('shutdown stops everything once and reports it; asking again gives the same lines', async () => {
    await services.createObserver('o', 'by_stream', '$all');
    services.startProducers(2, { periodMs: 10 });
    await services.createSubscription('s', '$all', 0);
    const lines = await services.shutdown();
    expect(lines).toEqual([
      '👋 Shutting down ExESDB Interactive Console...',
      '🛑 Stopped observer: o',
      '🛑 Stopped producer: greenhouse1',
      '🛑 Stopped producer: greenhouse2',
      '🛑 Stopped subscription: s',
      '✅ Console shut down successfully!',
    ]);
    expect(await services.shutdown()).toBe(lines);
    const v = await gater.api.getVersion('reg_gh', 'greenhouse1');
    await sleep(50);
    expect(await gater.api.getVersion('reg_gh', 'greenhouse1')).toBe(v); // producers really stopped
  });
});

describe('menu data', () => {
  it('has the 15 reference options, and typed input must be exactly 1..15', () => {
    expect(MENU_ITEMS.map((i) => i.number)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(itemForInput(' 7 ')?.label).toBe('Start Producers');
    for (const bad of ['', '0', '16', '07x', 'abc', '1.5']) expect(itemForInput(bad)).toBeUndefined();
    expect(MENU_ITEMS[14]!.action()).toEqual({ type: 'quit' });
    expect(MENU_ITEMS[0]!.action()).toEqual({ type: 'navigate', route: { screen: 'option', n: 1 } });
  });

  it('filter highlighting splits around case-insensitive matches', () => {
    expect(splitMatches('SEEN greenhouse2 GreenHouse2', 'greenhouse2')).toEqual([
      { text: 'SEEN ', match: false },
      { text: 'greenhouse2', match: true },
      { text: ' ', match: false },
      { text: 'GreenHouse2', match: true },
    ]);
  });
});
