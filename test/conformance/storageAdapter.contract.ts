import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PreparedEvent, StorageAdapter } from '../../src/node/storage/storageAdapter.js';

/**
 * The one conformance suite every StorageAdapter passes (DESIGN §8). Call it once per adapter with a factory
 * that returns a fresh, empty adapter; `cleanup` runs after each test (close, delete files, drop schema...).
 */
export function describeStorageAdapterContract(
  name: string,
  factory: () => Promise<StorageAdapter>,
  cleanup: (adapter: StorageAdapter) => Promise<void> = (a) => a.close(),
): void {
  describe(`StorageAdapter contract: ${name}`, () => {
    let adapter: StorageAdapter;
    let seq = 0;
    const ev = (type = 'thing_happened:v1', data: unknown = { n: seq }): PreparedEvent => ({
      eventId: `id-${++seq}-${Math.random().toString(36).slice(2)}`,
      eventType: type,
      dataContentType: 1,
      metadataContentType: 1,
      data,
      metadata: { causationId: 'c' },
    });
    const store = 'reg_gh';

    beforeEach(async () => {
      adapter = await factory();
      await adapter.ensureStore(store);
    });
    afterEach(async () => {
      await cleanup(adapter);
    });

    it('append - numbers events from 0 and gives store-wide positions', async () => {
      const r1 = await adapter.append(store, 's1', [ev(), ev(), ev()], 'any');
      expect(r1).toMatchObject({ ok: true, version: 2, duplicate: false });
      const r2 = await adapter.append(store, 's2', [ev()], 'no_stream');
      expect(r2).toMatchObject({ ok: true, version: 0 });
      if (!r2.ok) throw new Error('unreachable');
      expect(r2.records[0]).toMatchObject({ eventStreamId: 's2', eventNumber: 0, position: 3 });
      expect(await adapter.getVersion(store, 's1')).toBe(2);
      expect(await adapter.getVersion(store, 'missing')).toBe(-1);
      expect(await adapter.headPosition(store)).toBe(3);
      expect((await adapter.getStreams(store)).sort()).toEqual(['s1', 's2']);
    });

    it('append - records carry every field, created as ISO and createdEpoch in µs', async () => {
      const e = ev('temperature_measured:v1', { temperature: 21, nested: { a: [1, 2, { b: null }] } });
      await adapter.append(store, 's', [e], 'any');
      const [rec] = await adapter.readStream(store, 's', 0, 0);
      expect(rec).toMatchObject({
        eventStreamId: 's',
        eventNumber: 0,
        eventId: e.eventId,
        eventType: 'temperature_measured:v1',
        dataContentType: 1,
        metadataContentType: 1,
        data: { temperature: 21, nested: { a: [1, 2, { b: null }] } },
        metadata: { causationId: 'c' },
        position: 0,
      });
      expect(new Date(rec!.created).toISOString()).toBe(rec!.created);
      expect(Math.abs(rec!.createdEpoch / 1000 - Date.parse(rec!.created))).toBeLessThan(2);
    });

    it('append - expected version: any, no_stream, stream_exists, n', async () => {
      expect(await adapter.append(store, 'x', [ev()], 'stream_exists')).toEqual({ ok: false, current: -1 });
      expect(await adapter.append(store, 'x', [ev()], 0)).toEqual({ ok: false, current: -1 });
      expect(await adapter.append(store, 'x', [ev()], -1)).toMatchObject({ ok: true, version: 0 });
      expect(await adapter.append(store, 'x', [ev()], 'no_stream')).toEqual({ ok: false, current: 0 });
      expect(await adapter.append(store, 'x', [ev()], 0)).toMatchObject({ ok: true, version: 1 });
      expect(await adapter.append(store, 'x', [ev()], 5)).toEqual({ ok: false, current: 1 });
      expect(await adapter.append(store, 'x', [ev()], 'stream_exists')).toMatchObject({ ok: true, version: 2 });
      expect(await adapter.append(store, 'x', [ev(), ev()], 'any')).toMatchObject({ ok: true, version: 4 });
      expect(await adapter.headPosition(store)).toBe(4);
    });

    it('append - a re-sent batch that already ends the stream writes nothing and returns the same version', async () => {
      const batch = [ev(), ev()];
      expect(await adapter.append(store, 'd', batch, -1)).toMatchObject({ ok: true, version: 1, duplicate: false });
      // the retry carries the original expected version, which no longer matches: still a success
      expect(await adapter.append(store, 'd', batch, -1)).toMatchObject({ ok: true, version: 1, duplicate: true });
      expect(await adapter.headPosition(store)).toBe(1);
      // a batch of new ids is a new batch
      const other = [ev()];
      expect(await adapter.append(store, 'd', other, 1)).toMatchObject({ ok: true, version: 2 });
      // ids are unique per store: the first batch re-sent after another append is still recognised
      expect(await adapter.append(store, 'd', batch, 'any')).toMatchObject({ ok: true, version: 1, duplicate: true });
      expect(await adapter.getVersion(store, 'd')).toBe(2);
    });

    it('event ids are unique per store: a re-sent batch (all ids stored, same order) writes nothing, even after other appends', async () => {
      const batch = [ev(), ev()];
      expect(await adapter.append(store, 'u', batch, 'no_stream')).toMatchObject({ ok: true, version: 1 });
      await adapter.append(store, 'u', [ev()], 'any');
      await adapter.append(store, 'other', [ev(), ev()], 'any');
      // the retry carries its original expected version, which no longer matches: still the original outcome
      expect(await adapter.append(store, 'u', batch, 'no_stream')).toMatchObject({
        ok: true,
        version: 1,
        duplicate: true,
        records: [],
      });
      expect(await adapter.append(store, 'u', [batch[1]!], 'any')).toMatchObject({
        ok: true,
        version: 1,
        duplicate: true,
      });
      expect(await adapter.getVersion(store, 'u')).toBe(2);
      expect(await adapter.headPosition(store)).toBe(4);
      expect((await adapter.readAll(store, 0, 100)).map((e) => e.eventId)).toHaveLength(5);
    });

    it('event ids are unique per store: a batch partly stored, in another stream or out of order is refused naming the id', async () => {
      const a = ev();
      const b = ev();
      await adapter.append(store, 'p', [a, b], 'any');
      const fresh = ev();
      expect(await adapter.append(store, 'p', [fresh, b], 'any')).toMatchObject({
        ok: false,
        duplicateEventId: b.eventId,
      });
      expect(await adapter.append(store, 'q', [a], 'any')).toMatchObject({ ok: false, duplicateEventId: a.eventId });
      expect(await adapter.append(store, 'p', [b, a], 'any')).toMatchObject({ ok: false, duplicateEventId: b.eventId });
      expect(await adapter.getVersion(store, 'p')).toBe(1);
      expect(await adapter.getVersion(store, 'q')).toBe(-1);
      expect(await adapter.getStreams(store)).toEqual(['p']);
      expect(await adapter.headPosition(store)).toBe(1);
      // the same id in another store is another event
      await adapter.ensureStore('elsewhere');
      expect(await adapter.append('elsewhere', 'p', [a], 'any')).toMatchObject({ ok: true, duplicate: false });
      // and the fresh event, never written, can still be appended
      expect(await adapter.append(store, 'p', [fresh], 1)).toMatchObject({ ok: true, version: 2 });
    });

    it('event ids are unique per store under concurrency: 20 writers on 20 streams race one shared id', async () => {
      const shared = ev();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => adapter.append(store, `race-${i}`, [ev(), shared], 'any')),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.duplicateEventId === shared.eventId)).toHaveLength(19);
      const all = await adapter.readAll(store, 0, 100);
      expect(all.filter((e) => e.eventId === shared.eventId)).toHaveLength(1);
      expect(all).toHaveLength(2);
    });

    it('append - 50 concurrent writers at one expected version: exactly one wins', async () => {
      await adapter.append(store, 'race', [ev()], 'any');
      const batches = Array.from({ length: 50 }, (_, i) => [
        ev('race:v1', { writer: i }),
        ev('race:v1', { writer: i }),
      ]);
      const results = await Promise.all(batches.map((b) => adapter.append(store, 'race', b, 0)));
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.current >= 0)).toBe(true);
      const stored = await adapter.readStream(store, 'race', 0, 100);
      expect(stored).toHaveLength(3);
      const winner = (stored[1]!.data as { writer: number }).writer;
      expect((stored[2]!.data as { writer: number }).writer).toBe(winner);
      expect(stored.map((e) => e.position)).toEqual([0, 1, 2]);
    });

    it('read - stream ranges are clipped and ascending; readAll pages by position', async () => {
      await adapter.append(store, 'r', [ev(), ev(), ev(), ev(), ev()], 'any');
      await adapter.append(store, 'q', [ev()], 'any');
      expect((await adapter.readStream(store, 'r', 1, 3)).map((e) => e.eventNumber)).toEqual([1, 2, 3]);
      expect((await adapter.readStream(store, 'r', 3, 99)).map((e) => e.eventNumber)).toEqual([3, 4]);
      expect(await adapter.readStream(store, 'r', 7, 9)).toEqual([]);
      expect(await adapter.readStream(store, 'nope', 0, 9)).toEqual([]);
      expect((await adapter.readAll(store, 2, 3)).map((e) => e.position)).toEqual([2, 3, 4]);
      expect((await adapter.readAll(store, 4, 100)).map((e) => [e.eventStreamId, e.position])).toEqual([
        ['r', 4],
        ['q', 5],
      ]);
      expect(await adapter.readAll(store, 6, 10)).toEqual([]);
    });

    it('findCorrelated - by event id, by correlation and by causation (every spelling), paged by position, per store', async () => {
      const withMeta = (metadata: Record<string, unknown>): PreparedEvent => ({ ...ev(), metadata });
      const root = withMeta({ correlation_id: 'corr-1', causation_id: 'cmd-1' });
      await adapter.append(store, 'orders', [root], 'any');
      const child = withMeta({ correlationId: 'corr-1', causationId: root.eventId });
      const elsewhere = withMeta({ $correlationId: 'corr-2', $causationId: root.eventId });
      const unrelated = withMeta({ correlation_id: 'corr-3' });
      const numeric = withMeta({ correlation_id: 42 });
      await adapter.append(store, 'payments', [child, elsewhere, unrelated, numeric], 'any');
      await adapter.append('other_store', 'orders', [withMeta({ correlation_id: 'corr-1' })], 'any');
      const ids = (rs: { eventId: string }[]) => rs.map((r) => r.eventId);

      expect(ids(await adapter.findCorrelated(store, ['corr-1'], -1, 100))).toEqual([root.eventId, child.eventId]);
      expect(ids(await adapter.findCorrelated(store, [root.eventId], -1, 100))).toEqual([
        root.eventId,
        child.eventId,
        elsewhere.eventId,
      ]);
      expect(ids(await adapter.findCorrelated(store, ['corr-2', 'cmd-1'], -1, 100))).toEqual([
        root.eventId,
        elsewhere.eventId,
      ]);
      // pages: after a position, at most `limit`
      const first = await adapter.findCorrelated(store, [root.eventId], -1, 2);
      expect(ids(first)).toEqual([root.eventId, child.eventId]);
      expect(ids(await adapter.findCorrelated(store, [root.eventId], first[1]!.position, 2))).toEqual([
        elsewhere.eventId,
      ]);
      expect(await adapter.findCorrelated(store, ['42'], -1, 100)).toEqual([]);
      expect(await adapter.findCorrelated(store, ['nothing'], -1, 100)).toEqual([]);
      expect(await adapter.findCorrelated('no_such_store', ['corr-1'], -1, 100)).toEqual([]);
      // the records are whole
      const [r] = await adapter.findCorrelated(store, [child.eventId], -1, 1);
      expect(r).toMatchObject({ eventStreamId: 'payments', eventNumber: 0, metadata: child.metadata });
    });

    it('stores are isolated from each other', async () => {
      await adapter.ensureStore('other');
      await adapter.append(store, 's', [ev()], 'any');
      await adapter.append('other', 's', [ev(), ev()], 'any');
      expect(await adapter.getVersion(store, 's')).toBe(0);
      expect(await adapter.getVersion('other', 's')).toBe(1);
      expect(await adapter.headPosition('other')).toBe(1);
      expect((await adapter.listStores()).sort()).toEqual(expect.arrayContaining(['other', store]));
    });

    it('large events (three of ~200 KB) round-trip intact', async () => {
      const big = (i: number) => ({ i, blob: 'x'.repeat(200_000) + i, list: Array.from({ length: 100 }, (_, k) => k) });
      const r = await adapter.append(
        store,
        'big',
        [ev('big:v1', big(1)), ev('big:v1', big(2)), ev('big:v1', big(3))],
        'any',
      );
      expect(r).toMatchObject({ ok: true, version: 2 });
      const back = await adapter.readStream(store, 'big', 0, 2);
      expect(back.map((e) => e.data)).toEqual([big(1), big(2), big(3)]);
    });

    it('subscriptions - upsert, list, checkpoint only moves forward, delete', async () => {
      const sub = {
        key: 'k1',
        type: 'by_stream' as const,
        selector: '$all',
        name: 'my_sub',
        startFrom: 0,
        checkpoint: 0,
        ackTimeoutMs: 30000,
        maxRetries: 10,
      };
      await adapter.saveSubscription(store, sub);
      await adapter.saveSubscription(store, {
        ...sub,
        key: 'k2',
        type: 'by_event_payload',
        selector: { operator: 'John' },
        name: 'john',
      });
      await adapter.saveCheckpoint(store, 'k1', 5);
      await adapter.saveCheckpoint(store, 'k1', 3);
      const list = await adapter.listSubscriptions(store);
      expect(list.find((s) => s.key === 'k1')).toMatchObject({ checkpoint: 5, name: 'my_sub', selector: '$all' });
      expect(list.find((s) => s.key === 'k2')).toMatchObject({
        selector: { operator: 'John' },
        type: 'by_event_payload',
      });
      await adapter.saveSubscription(store, { ...sub, startFrom: 2, checkpoint: 7 });
      expect((await adapter.listSubscriptions(store)).find((s) => s.key === 'k1')).toMatchObject({
        startFrom: 2,
        checkpoint: 7,
      });
      const parked = {
        subscription: 'my_sub',
        position: 3,
        eventId: 'e3',
        eventStreamId: 's',
        eventNumber: 3,
        reason: 'max_retries',
        retries: 10,
        parkedAt: '2026-01-01T00:00:00.000Z',
      };
      // Parking the same event twice keeps one entry.
      await adapter.parkEvent(store, 'k1', parked);
      await adapter.parkEvent(store, 'k1', parked);
      expect(await adapter.listParked(store, 'k1')).toEqual([
        {
          subscription: 'my_sub',
          position: 3,
          eventId: 'e3',
          eventStreamId: 's',
          eventNumber: 3,
          reason: 'max_retries',
          retries: 10,
          parkedAt: '2026-01-01T00:00:00.000Z',
        },
      ]);
      await adapter.deleteSubscription(store, 'k1');
      expect((await adapter.listSubscriptions(store)).map((s) => s.key)).toEqual(['k2']);
      expect(await adapter.listParked(store, 'k1')).toEqual([]);
    });

    it('parked events - unpark some or all (each removed once), reset the checkpoint backwards', async () => {
      const store = 'parked_ops';
      await adapter.ensureStore(store);
      await adapter.saveSubscription(store, {
        key: 'p1',
        type: 'by_stream',
        selector: '$all',
        name: 'p',
        startFrom: 0,
        checkpoint: 9,
        ackTimeoutMs: 1000,
        maxRetries: 1,
      });
      for (const position of [2, 5, 7])
        await adapter.parkEvent(store, 'p1', {
          subscription: 'p',
          position,
          eventId: `e${position}`,
          eventStreamId: 's',
          eventNumber: position,
          reason: 'nack_park',
          retries: 0,
          parkedAt: '2026-01-01T00:00:00.000Z',
        });
      expect(await adapter.unparkEvents(store, 'p1', [5, 6])).toEqual([5]);
      expect(await adapter.unparkEvents(store, 'p1', [5])).toEqual([]);
      expect((await adapter.listParked(store, 'p1')).map((p) => p.position)).toEqual([2, 7]);
      expect((await adapter.unparkEvents(store, 'p1')).sort((a, b) => a - b)).toEqual([2, 7]);
      expect(await adapter.listParked(store, 'p1')).toEqual([]);
      await adapter.resetCheckpoint(store, 'p1', 3);
      expect((await adapter.listSubscriptions(store))[0]).toMatchObject({ checkpoint: 3 });
      await adapter.saveCheckpoint(store, 'p1', 2);
      expect((await adapter.listSubscriptions(store))[0]).toMatchObject({ checkpoint: 3 });
    });

    it('snapshots - record (replacing), read, list with any filters, delete', async () => {
      const snap = (src: string, stream: string, version: number, record: unknown) => ({
        sourceUuid: src,
        streamUuid: stream,
        version,
        record,
        created: new Date().toISOString(),
      });
      await adapter.recordSnapshot(store, snap('a', 's1', 1, { counter: 1 }));
      await adapter.recordSnapshot(store, snap('a', 's1', 2, { counter: 2 }));
      await adapter.recordSnapshot(store, snap('a', 's2', 1, { counter: 3 }));
      await adapter.recordSnapshot(store, snap('b', 's1', 1, { counter: 4 }));
      await adapter.recordSnapshot(store, snap('a', 's1', 1, { counter: 10 }));
      expect((await adapter.readSnapshot(store, 'a', 's1', 1))?.record).toEqual({ counter: 10 });
      expect(await adapter.readSnapshot(store, 'a', 's1', 9)).toBeUndefined();
      expect(await adapter.listSnapshots(store, 'any', 'any')).toHaveLength(4);
      expect((await adapter.listSnapshots(store, 'a', 'any')).map((s) => [s.streamUuid, s.version])).toEqual([
        ['s1', 1],
        ['s1', 2],
        ['s2', 1],
      ]);
      expect(await adapter.listSnapshots(store, 'a', 's1')).toHaveLength(2);
      expect(await adapter.deleteSnapshot(store, 'a', 's1', 1)).toBe(true);
      expect(await adapter.readSnapshot(store, 'a', 's1', 1)).toBeUndefined();
      expect(await adapter.deleteSnapshot(store, 'a', 's1', 1)).toBe(false);
      expect(await adapter.deleteSnapshot('no_such_store', 'a', 's1', 1)).toBe(false);
      expect(await adapter.listSnapshots(store, 'any', 'any')).toHaveLength(3);
    });

    it('JSON values round-trip exactly: key order, numbers, strings, arrays, null', async () => {
      const values: unknown[] = [
        { z: 1, a: 2, m: { y: [3, { q: 1, b: 2 }], b: null } },
        [1, 'two', { b: 1, a: 2 }, [], {}],
        'just a string with "quotes", \\backslashes\\, \u0000 nul, é and 😀',
        0.1,
        2 ** 53 - 1,
        1e21,
        -1.5e-7,
        true,
        null,
      ];
      const batch = values.map((v, i) => ({ ...ev('json:v1', v), metadata: i % 2 ? null : { z: 'last', a: 'first' } }));
      const r = await adapter.append(store, 'json', batch, 'no_stream');
      const back = await adapter.readStream(store, 'json', 0, 100);
      expect(back.map((e) => e.data)).toEqual(values);
      expect(back.map((e) => JSON.stringify([e.data, e.metadata]))).toEqual(
        batch.map((e) => JSON.stringify([e.data, e.metadata])),
      );
      // what append returns is what a later read gives
      expect(r.ok && r.records).toEqual(back);
      expect(await adapter.readAll(store, 0, 100)).toEqual(back);
    });

    it('a refused append writes nothing and creates no stream', async () => {
      await adapter.append(store, 'a', [ev()], 'any');
      expect(await adapter.append(store, 'b', [ev(), ev()], 'stream_exists')).toEqual({ ok: false, current: -1 });
      expect(await adapter.append(store, 'b', [ev()], 3)).toEqual({ ok: false, current: -1 });
      expect(await adapter.getStreams(store)).toEqual(['a']);
      expect(await adapter.getVersion(store, 'b')).toBe(-1);
      expect(await adapter.headPosition(store)).toBe(0);
      expect(await adapter.readAll(store, 0, 10)).toHaveLength(1);
      // a batch holding one stored id and one new id is refused as such, whatever the expected version
      const one = ev();
      await adapter.append(store, 'c', [one], 'any');
      expect(await adapter.append(store, 'c', [ev(), one], 'no_stream')).toEqual({
        ok: false,
        current: 0,
        duplicateEventId: one.eventId,
      });
    });

    it('empty and unknown stores read as empty; limits and ranges at the edges', async () => {
      await adapter.ensureStore(store);
      await adapter.ensureStore('empty_store');
      expect(await adapter.listStores()).toEqual(expect.arrayContaining([store, 'empty_store']));
      expect(await adapter.headPosition('empty_store')).toBe(-1);
      expect(await adapter.headPosition('never_created')).toBe(-1);
      expect(await adapter.readAll('never_created', 0, 10)).toEqual([]);
      expect(await adapter.readStream('never_created', 's', 0, 10)).toEqual([]);
      expect(await adapter.getVersion('never_created', 's')).toBe(-1);
      expect(await adapter.getStreams('never_created')).toEqual([]);
      await adapter.append(store, 'e', [ev(), ev(), ev()], 'any');
      expect(await adapter.readAll(store, 0, 0)).toEqual([]);
      expect((await adapter.readAll(store, -5, 2)).map((e) => e.position)).toEqual([0, 1]);
      expect((await adapter.readStream(store, 'e', -3, 0)).map((e) => e.eventNumber)).toEqual([0]);
      expect(await adapter.readStream(store, 'e', 2, 1)).toEqual([]);
    });

    it('subscription selectors and snapshot records keep their key order', async () => {
      const selector = { z: 'last', a: { y: 1, b: [2, { d: 1, c: 0 }] } };
      await adapter.saveSubscription(store, {
        key: 'ko',
        type: 'by_event_pattern',
        selector,
        name: 'ko',
        startFrom: 3,
        checkpoint: 3,
        ackTimeoutMs: 1500,
        maxRetries: 2,
      });
      const [sub] = await adapter.listSubscriptions(store);
      expect(JSON.stringify(sub?.selector)).toBe(JSON.stringify(selector));
      expect(sub).toMatchObject({ startFrom: 3, checkpoint: 3, ackTimeoutMs: 1500, maxRetries: 2 });
      const record = { z: 1, a: [{ y: 2, b: 3 }], big: 2 ** 53 - 1 };
      const created = new Date().toISOString();
      await adapter.recordSnapshot(store, { sourceUuid: 's', streamUuid: 't', version: 4, record, created });
      const snap = await adapter.readSnapshot(store, 's', 't', 4);
      expect(snap).toEqual({ sourceUuid: 's', streamUuid: 't', version: 4, record, created });
      expect(JSON.stringify(snap?.record)).toBe(JSON.stringify(record));
    });
  });
}
