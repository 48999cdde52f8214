import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGater, type Gater } from '../../src/gateway/index.js';
import type { EventRecord, NewEvent } from '../../src/core/types.js';
import { generateGreenhouseEvents } from '../../src/domain/greenhouse/index.js';

const S = 'reg_gh';
const ev = (n: number, type = 'tick:v1', data: Record<string, unknown> = { n }): NewEvent => ({
  eventType: type,
  data,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`condition not met within ${ms} ms`);
    await sleep(5);
  }
}

describe('subscriptions (embedded)', () => {
  let gater: Gater;
  beforeEach(async () => {
    gater = await startGater();
  });
  afterEach(async () => {
    await gater.stop();
  });

  it('startFrom=k while a producer keeps appending: every event from k on, exactly once, in order', async () => {
    await gater.api.appendEvents(
      S,
      'p',
      Array.from({ length: 300 }, (_, i) => ev(i)),
    );
    let producing = true;
    let next = 300;
    const producer = (async () => {
      while (producing) {
        await gater.api.appendEvents(S, 'p', [ev(next), ev(next + 1)]);
        next += 2;
        await sleep(0);
      }
    })();
    const got: number[] = [];
    await gater.api.saveSubscription(S, 'by_stream', '$p', 'transient', 120, (events) => {
      for (const e of events) got.push(e.eventNumber);
    });
    await sleep(150);
    producing = false;
    await producer;
    await until(() => got.length === next - 120);
    expect(got).toEqual(Array.from({ length: next - 120 }, (_, i) => i + 120));
  });

  it('$all subscription replays by global position, then goes live; bare stream ids are normalised', async () => {
    await gater.api.appendEvents(S, 'a', [ev(0), ev(1)]);
    await gater.api.appendEvents(S, 'b', [ev(2)]);
    const all: EventRecord[] = [];
    const onlyB: EventRecord[] = [];
    await gater.api.saveSubscription(S, 'by_stream', '$all', 'transient', 1, (es) => all.push(...es));
    await gater.api.saveSubscription(S, 'by_stream', 'b', 'transient', 0, (es) => onlyB.push(...es));
    await gater.api.appendEvents(S, 'b', [ev(3)]);
    await until(() => all.length === 3 && onlyB.length === 2);
    expect(all.map((e) => e.position)).toEqual([1, 2, 3]);
    expect(onlyB.map((e) => e.eventNumber)).toEqual([0, 1]);
  });

  it('by_event_type, by_event_payload (with "_" wildcard) and by_event_pattern filter', async () => {
    const types: string[] = [];
    const johns: unknown[] = [];
    const withIntensity: unknown[] = [];
    const pattern: EventRecord[] = [];
    await gater.api.saveSubscription(S, 'by_event_type', 'fan_activated:v1', 'transient', 0, (es) =>
      types.push(...es.map((e) => e.eventType)),
    );
    await gater.api.saveSubscription(S, 'by_event_payload', { operator: 'John' }, 'transient', 0, (es) =>
      johns.push(...es.map((e) => e.data)),
    );
    await gater.api.saveSubscription(S, 'by_event_payload', { intensity: '_' }, 'transient', 0, (es) =>
      withIntensity.push(...es.map((e) => e.data)),
    );
    await gater.api.saveSubscription(
      S,
      'by_event_pattern',
      { eventStreamId: 'gh2', data: { operator: 'Paul' } },
      'transient',
      0,
      (es) => pattern.push(...es),
    );
    await gater.api.appendEvents(S, 'gh1', [
      ev(0, 'fan_activated:v1', { intensity: 5 }),
      ev(1, 'desired_temperature_set:v1', { temperature: 20, operator: 'John' }),
      ev(2, 'desired_temperature_set:v1', { temperature: 20, operator: 'Johnny' }),
      ev(3, 'fan_deactivated:v1', { intensity: 0 }),
    ]);
    await gater.api.appendEvents(S, 'gh2', [
      ev(4, 'desired_light_set:v1', { light: 3, operator: 'Paul' }),
      ev(5, 'x', { operator: 'Paul', intensity: null }),
    ]);
    await until(() => types.length === 1 && johns.length === 1 && withIntensity.length === 3 && pattern.length === 2);
    expect(johns).toEqual([{ temperature: 20, operator: 'John' }]);
    await sleep(20);
    expect(types).toEqual(['fan_activated:v1']);
  });

  it('without a subscriber, batches go to the pubsub topic "<store>:<sub_topic>" as { events }', async () => {
    const seen: EventRecord[] = [];
    const unsub = gater.pubsub.subscribe<{ events: EventRecord[] }>('reg_gh:$greenhouse1', (m) =>
      seen.push(...m.events),
    );
    const h = await gater.api.saveSubscription(S, 'by_stream', '$greenhouse1');
    expect(h.topic).toBe('reg_gh:$greenhouse1');
    await gater.api.appendEvents(S, 'greenhouse1', generateGreenhouseEvents(-1, 3, { seed: 1 }));
    await until(() => seen.length === 3);
    expect(seen[0]!.eventType).toBe('initialized:v1');
    unsub();
    const t = await gater.api.saveSubscription(S, 'by_event_type', 'fan_activated:v1', 'my_sub');
    expect(t.topic).toBe('reg_gh:*my_sub-fan_activated:v1');
    const p = await gater.api.saveSubscription(S, 'by_event_payload', { operator: 'John' }, 'john_obs');
    expect(p.topic).toMatch(/^reg_gh:evt-pay-john_obs-[0-9A-F]+$/);
  });

  it('a closed transient subscription delivers nothing more; a throwing subscriber does not break delivery', async () => {
    const got: number[] = [];
    let calls = 0;
    const h = await gater.api.saveSubscription(S, 'by_stream', '$all', 'transient', 0, (es) =>
      got.push(...es.map((e) => e.position)),
    );
    await gater.api.saveSubscription(S, 'by_stream', '$all', 'transient', 0, () => {
      calls++;
      throw new Error('boom');
    });
    await gater.api.appendEvents(S, 's', [ev(0)]);
    await until(() => got.length === 1 && calls === 1);
    await h.close();
    await gater.api.appendEvents(S, 's', [ev(1)]);
    await until(() => calls === 2);
    expect(got).toEqual([0]);
  });

  it('named: acked events move the checkpoint; unacked ones are redelivered after ackTimeoutMs and parked after maxRetries', async () => {
    const deliveries = new Map<number, number>();
    const sub = (events: EventRecord[]) => {
      for (const e of events) {
        deliveries.set(e.eventNumber, (deliveries.get(e.eventNumber) ?? 0) + 1);
        if (e.eventNumber !== 1) void gater.api.ackEvent(S, 'acker', sub, e);
      }
    };
    await gater.api.saveSubscription(S, 'by_stream', '$orders', 'acker', 0, sub, { ackTimeoutMs: 60, maxRetries: 2 });
    await gater.api.appendEvents(S, 'orders', [ev(0), ev(1), ev(2)]);
    await until(() => (deliveries.get(1) ?? 0) >= 3);
    const infoOf = async () => (await gater.api.getSubscriptions(S)).find((s) => s.name === 'acker')!;
    let info = await infoOf();
    for (let i = 0; i < 200 && info.parked === 0; i++) {
      await sleep(10);
      info = await infoOf();
    }
    expect(deliveries.get(0)).toBe(1);
    expect(deliveries.get(2)).toBe(1);
    expect(deliveries.get(1)).toBe(3); // first delivery + maxRetries redeliveries
    expect(info).toMatchObject({ persistent: true, active: true, parked: 1, inFlight: 0, checkpoint: 3, lag: 0 });
  });

  it('named: nack retry redelivers at once, park parks, skip moves on', async () => {
    const seen: number[] = [];
    let retried = false;
    const sub = (events: EventRecord[]) => {
      for (const e of events) {
        seen.push(e.eventNumber);
        if (e.eventNumber === 0 && !retried) {
          retried = true;
          void gater.api.nackEvent(S, 'nacker', sub, e, 'retry');
        } else if (e.eventNumber === 1) void gater.api.nackEvent(S, 'nacker', sub, e, 'park');
        else if (e.eventNumber === 2) void gater.api.nackEvent(S, 'nacker', sub, e, 'skip');
        else void gater.api.ackEvent(S, 'nacker', sub, e);
      }
    };
    await gater.api.saveSubscription(S, 'by_stream', '$n', 'nacker', 0, sub, { ackTimeoutMs: 10_000 });
    await gater.api.appendEvents(S, 'n', [ev(0), ev(1), ev(2)]);
    await until(() => seen.length === 4);
    await sleep(20);
    expect(seen).toEqual([0, 1, 2, 0]);
    const info = (await gater.api.getSubscriptions(S)).find((s) => s.name === 'nacker')!;
    expect(info).toMatchObject({ parked: 1, inFlight: 0, checkpoint: 3 });
  });

  it('named: a re-attached subscriber resumes from the checkpoint (unacked events come again)', async () => {
    await gater.api.appendEvents(S, 'r', [ev(0), ev(1), ev(2), ev(3)]);
    const first: number[] = [];
    const sub1 = (events: EventRecord[]) => {
      for (const e of events) {
        first.push(e.eventNumber);
        if (e.eventNumber < 2) void gater.api.ackEvent(S, 'resumer', sub1, e);
      }
    };
    const h = await gater.api.saveSubscription(S, 'by_stream', '$r', 'resumer', 0, sub1);
    await until(() => first.length === 4);
    await sleep(20);
    await h.close();
    const second: number[] = [];
    await gater.api.saveSubscription(S, 'by_stream', '$r', 'resumer', 0, (es) =>
      second.push(...es.map((e) => e.eventNumber)),
    );
    await until(() => second.length === 2);
    expect(second).toEqual([2, 3]);
    const subs = await gater.api.getSubscriptions(S);
    expect(subs.filter((s) => s.name === 'resumer')).toHaveLength(1);
    expect(subs.find((s) => s.name === 'resumer')).toMatchObject({ checkpoint: 2, inFlight: 2, lag: 2 });
  });

  it('removeSubscription deletes the stored record; ack on an unknown name -> not_found', async () => {
    await gater.api.saveSubscription(S, 'by_stream', '$all', 'gone', 0, () => {});
    expect((await gater.api.getSubscriptions(S)).some((s) => s.name === 'gone')).toBe(true);
    await gater.api.removeSubscription(S, 'by_stream', '$all', 'gone');
    expect((await gater.api.getSubscriptions(S)).some((s) => s.name === 'gone')).toBe(false);
    await expect(
      gater.api.ackEvent(S, 'gone', undefined, { position: 0, eventNumber: 0 } as EventRecord),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
