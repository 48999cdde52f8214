import { describe, expect, it } from 'vitest';
import { GaterError } from '../errors.js';
import type { EventRecord } from '../types.js';
import { DeliveryQueue } from './subscription.js';

const ev = (position: number) => ({ position }) as EventRecord;
const positions = (r: IteratorResult<EventRecord[]>) => (r.done ? 'done' : r.value.map((e) => e.position));

describe('DeliveryQueue', () => {
  it('hands out one event at a time in delivery order, and done once ended', async () => {
    const q = new DeliveryQueue();
    q.push([ev(0), ev(1)]);
    const waiting = (async () => [await q.next(), await q.next(), await q.next()])();
    q.push([ev(2)]);
    expect((await waiting).map((r) => (r.done ? 'done' : r.value.position))).toEqual([0, 1, 2]);
    q.end();
    expect((await q.next()).done).toBe(true);
  });

  it('hands out everything queued as one batch, or the next delivery whole when nothing is', async () => {
    const q = new DeliveryQueue();
    q.push([ev(0)]);
    q.push([ev(1), ev(2)]);
    expect(positions(await q.nextBatch())).toEqual([0, 1, 2]);
    const next = q.nextBatch();
    q.push([]); // an empty delivery wakes nobody
    q.push([ev(3), ev(4)]);
    expect(positions(await next)).toEqual([3, 4]);
    q.push([ev(5)]);
    const [a, b] = [await q.next(), q.nextBatch()]; // per event and per batch read the same queue in turn
    expect(a.done ? 'done' : a.value.position).toBe(5);
    const err = new GaterError('connection_closed', 'gone');
    q.end(err);
    expect(positions(await b)).toBe('done');
    expect(await q.closed()).toBe(err);
  });

  it('refuses a second reader while one waits', async () => {
    const q = new DeliveryQueue();
    const first = q.nextBatch();
    await expect(q.next()).rejects.toThrow('one consumer at a time');
    await expect(q.nextBatch()).rejects.toThrow('one consumer at a time');
    q.end();
    expect((await first).done).toBe(true);
  });
});
