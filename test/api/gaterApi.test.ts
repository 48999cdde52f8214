import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGater, type Gater } from '../../src/gateway/index.js';
import { isGaterError, type GaterError } from '../../src/core/errors.js';
import type { EventRecord, NewEvent } from '../../src/core/types.js';
import { MAX_EVENT_BYTES } from '../../src/core/eventValidation.js';

const S = 'reg_gh';
const ev = (value: number, extra: Partial<NewEvent> = {}): NewEvent => ({
  eventType: 'UserRegistered',
  data: { value },
  ...extra,
});

async function rejects(p: Promise<unknown>): Promise<GaterError> {
  try {
    await p;
  } catch (e) {
    if (isGaterError(e)) return e as GaterError;
    throw e;
  }
  throw new Error('expected a GaterError, the call succeeded');
}

describe('GaterApi (embedded) — reference gateway behaviour (EXESDB_SPEC §8.2)', () => {
  let gater: Gater;
  beforeEach(async () => {
    gater = await startGater();
  });
  afterEach(async () => {
    await gater.stop();
  });

  it('append - 3 events to a new stream -> version 2, read back in order', async () => {
    expect(await gater.api.appendEvents(S, 'acc-1', [ev(1), ev(2), ev(3)])).toBe(2);
    const events = await gater.api.getEvents(S, 'acc-1', 0, 10, 'forward');
    expect(events.map((e) => (e.data as { value: number }).value)).toEqual([1, 2, 3]);
    expect(events.map((e) => e.eventNumber)).toEqual([0, 1, 2]);
    expect(events[0]).toMatchObject({ eventStreamId: 'acc-1', eventType: 'UserRegistered', position: 0 });
    expect(events[0]!.eventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('append - expected -1 -> 0, then 0 -> 1; the read returns 2 events', async () => {
    expect(await gater.api.appendEvents(S, 'v', [ev(1)], -1)).toBe(0);
    expect(await gater.api.appendEvents(S, 'v', [ev(2)], 0)).toBe(1);
    expect(await gater.api.getEvents(S, 'v', 0, 10)).toHaveLength(2);
  });

  it('append - a wrong expected version -> wrong_expected_version carrying the current version', async () => {
    await gater.api.appendEvents(S, 'w', [ev(1), ev(2)]);
    const err = await rejects(gater.api.appendEvents(S, 'w', [ev(3)], 5));
    expect(err.code).toBe('wrong_expected_version');
    expect(err.current).toBe(1);
    expect(err.expected).toBe(5);
    expect(err.message).toMatch(/version 1/);
    expect(await gater.api.getVersion(S, 'w')).toBe(1);
  });

  it('append - no_stream and stream_exists', async () => {
    expect((await rejects(gater.api.appendEvents(S, 'n', [ev(1)], 'stream_exists'))).code).toBe(
      'wrong_expected_version',
    );
    expect(await gater.api.appendEvents(S, 'n', [ev(1)], 'no_stream')).toBe(0);
    expect((await rejects(gater.api.appendEvents(S, 'n', [ev(1)], 'no_stream'))).current).toBe(0);
    expect(await gater.api.appendEvents(S, 'n', [ev(2)], 'stream_exists')).toBe(1);
  });

  it('append - [] on a new stream -> -1, on an existing one -> its version', async () => {
    expect(await gater.api.appendEvents(S, 'empty', [])).toBe(-1);
    await gater.api.appendEvents(S, 'empty2', [ev(1), ev(2)]);
    expect(await gater.api.appendEvents(S, 'empty2', [])).toBe(1);
    expect(await gater.api.getStreams(S)).not.toContain('empty');
  });

  it('append - re-sending a batch with the same event ids returns the same version and writes nothing', async () => {
    const batch = [ev(1, { eventId: 'e-1' }), ev(2, { eventId: 'e-2' })];
    expect(await gater.api.appendEvents(S, 'idem', batch, -1)).toBe(1);
    expect(await gater.api.appendEvents(S, 'idem', batch, -1)).toBe(1);
    expect(await gater.api.getEvents(S, 'idem', 0, 10)).toHaveLength(2);
  });

  it('read - backward(4,10) on 0..4 -> 4,3,2,1,0; backward(10,3) -> []; backward(10,10) -> 4..1; forward(2,3) -> 2,3,4', async () => {
    await gater.api.appendEvents(
      S,
      'r',
      [0, 1, 2, 3, 4].map((i) => ev(i)),
    );
    const nums = (es: EventRecord[]) => es.map((e) => e.eventNumber);
    expect(nums(await gater.api.getEvents(S, 'r', 4, 10, 'backward'))).toEqual([4, 3, 2, 1, 0]);
    expect(nums(await gater.api.getEvents(S, 'r', 4, 3, 'backward'))).toEqual([4, 3, 2]);
    expect(await gater.api.getEvents(S, 'r', 10, 3, 'backward')).toEqual([]);
    expect(nums(await gater.api.getEvents(S, 'r', 10, 10, 'backward'))).toEqual([4, 3, 2, 1]);
    expect(nums(await gater.api.getEvents(S, 'r', 2, 3, 'forward'))).toEqual([2, 3, 4]);
    expect(nums(await gater.api.getEvents(S, 'r', 2, 2))).toEqual([2, 3]);
    expect(await gater.api.getEvents(S, 'r', 9, 3)).toEqual([]);
  });

  it('read - start -1 -> invalid_start_version; count 0 -> invalid_count; count -1 -> invalid_count', async () => {
    await gater.api.appendEvents(S, 'x', [ev(1)]);
    expect((await rejects(gater.api.getEvents(S, 'x', -1, 10))).code).toBe('invalid_start_version');
    expect((await rejects(gater.api.getEvents(S, 'x', 0, 0))).code).toBe('invalid_count');
    expect((await rejects(gater.api.getEvents(S, 'x', 0, -1))).code).toBe('invalid_count');
    expect((await rejects(gater.api.getEvents(S, 'x', 1.5, 1))).code).toBe('invalid_start_version');
  });

  it('read - a missing stream reads as [] and has version -1', async () => {
    expect(await gater.api.getEvents(S, 'nope', 0, 10)).toEqual([]);
    expect(await gater.api.getVersion(S, 'nope')).toBe(-1);
  });

  it('three ~200 KB events round-trip intact', async () => {
    const big = (i: number) => ({ i, payload: 'é'.repeat(100_000) + 'x'.repeat(100_000) });
    expect(
      await gater.api.appendEvents(
        S,
        'big',
        [1, 2, 3].map((i) => ({ eventType: 'Big', data: big(i) })),
      ),
    ).toBe(2);
    const back = await gater.api.getEvents(S, 'big', 0, 3);
    expect(back.map((e) => e.data)).toEqual([big(1), big(2), big(3)]);
  });

  it('streamForward / streamBackward iterate pages', async () => {
    await gater.api.appendEvents(
      S,
      'it',
      Array.from({ length: 1200 }, (_, i) => ev(i)),
    );
    const fwd: number[] = [];
    for await (const e of gater.api.streamForward(S, 'it', 100, 1000)) fwd.push(e.eventNumber);
    expect(fwd).toEqual(Array.from({ length: 1000 }, (_, i) => i + 100));
    const back: number[] = [];
    for await (const e of gater.api.streamBackward(S, 'it', 1199, 5)) back.push(e.eventNumber);
    expect(back).toEqual([1199, 1198, 1197, 1196, 1195]);
  });

  it('50 concurrent appends at one expected version: exactly one wins, the rest get wrong_expected_version', async () => {
    await gater.api.appendEvents(S, 'race', [ev(0)]);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, w) => gater.api.appendEvents(S, 'race', [ev(w), ev(w)], 0)),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed.every((r) => isGaterError(r.reason, 'wrong_expected_version'))).toBe(true);
    const stored = await gater.api.getEvents(S, 'race', 0, 100);
    expect(stored).toHaveLength(3);
    expect((stored[1]!.data as { value: number }).value).toBe((stored[2]!.data as { value: number }).value);
  });

  it('bad input -> invalid_argument with a message, nothing written', async () => {
    const cases: [Promise<unknown>, RegExp][] = [
      [gater.api.appendEvents(S, 42 as unknown as string, [ev(1)]), /stream id/],
      [gater.api.appendEvents(S, 'bad', [{ data: {} } as unknown as NewEvent]), /eventType/],
      [gater.api.appendEvents(S, 'bad', [{ eventType: 'X', data: { n: 10n } } as unknown as NewEvent]), /bigint|JSON/],
      [
        gater.api.appendEvents(S, 'bad', [ev(1), { eventType: 'X', data: { f: () => 1 } } as unknown as NewEvent]),
        /function|JSON/,
      ],
      [gater.api.appendEvents(S, 'bad', [{ eventType: 'X', data: new Date() } as unknown as NewEvent]), /Date/],
      [gater.api.appendEvents(S, 'bad', [ev(1)], -2 as unknown as number), /expected version/],
      [gater.api.getEvents(S, 'bad', 0, 1, 'sideways' as 'forward'), /direction/],
      [gater.api.saveSubscription(S, 'by_magic' as 'by_stream', '$all'), /subscription type/],
      [gater.api.saveSubscription(S, 'by_event_payload', 'operator=John'), /pattern/],
      [gater.api.saveSubscription(S, 'by_event_payload', [1, 2] as unknown as Record<string, unknown>), /pattern/],
    ];
    for (const [p, msg] of cases) {
      const err = await rejects(p);
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toMatch(msg);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect((await rejects(gater.api.appendEvents(S, 'bad', [{ eventType: 'X', data: cyclic }]))).code).toBe(
      'invalid_argument',
    );
    expect(await gater.api.getVersion(S, 'bad')).toBe(-1);
    expect(await gater.api.getStreams(S)).toEqual([]);
  });

  it('a caller mutating its event after append cannot change the stored event', async () => {
    const data = { temperature: 20 };
    await gater.api.appendEvents(S, 'm', [{ eventType: 'T', data }]);
    data.temperature = 99;
    const [e] = await gater.api.getEvents(S, 'm', 0, 1);
    expect(e!.data).toEqual({ temperature: 20 });
  });

  it('unknown store -> no_workers after the configured wait', async () => {
    const g = await startGater({ noWorkersWaitMs: 300 });
    try {
      const t0 = Date.now();
      const err = await rejects(g.api.getVersion('other_store', 's'));
      expect(err.code).toBe('no_workers');
      expect(err.message).toMatch(/other_store/);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    } finally {
      await g.stop();
    }
  });

  it('snapshots - record, read, list with any filters, delete; missing -> not_found', async () => {
    await gater.api.recordSnapshot(S, 'src-1', 'stream-1', 1, { data: { counter: 10 } });
    await gater.api.recordSnapshot(S, 'src-1', 'stream-1', 2, { data: { counter: 20 } });
    await gater.api.recordSnapshot(S, 'src-2', 'stream-9', 1, { data: { counter: 30 } });
    expect((await gater.api.readSnapshot(S, 'src-1', 'stream-1', 1)).record).toEqual({ data: { counter: 10 } });
    expect(await gater.api.listSnapshots(S)).toHaveLength(3);
    expect(await gater.api.listSnapshots(S, 'src-1')).toHaveLength(2);
    expect(await gater.api.listSnapshots(S, 'src-1', 'stream-1')).toHaveLength(2);
    expect(await gater.api.deleteSnapshot(S, 'src-1', 'stream-1', 1)).toBe(true);
    expect((await rejects(gater.api.readSnapshot(S, 'src-1', 'stream-1', 1))).code).toBe('not_found');
    expect(await gater.api.deleteSnapshot(S, 'src-1', 'stream-1', 1)).toBe(false);
  });

  it('snapshots - a record that could not be read back in one frame is refused when recorded, naming the limit', async () => {
    const big = { state: 'x'.repeat(MAX_EVENT_BYTES) };
    const err = await rejects(gater.api.recordSnapshot(S, 'src-big', 'stream-1', 1, big));
    expect(err.code).toBe('payload_too_large');
    expect(err.message).toMatch(/snapshot record is \d+ bytes of JSON, more than the \d+ one snapshot may hold/);
    expect(await gater.api.listSnapshots(S, 'src-big')).toEqual([]);
    // just under the limit is kept whole
    const fits = { state: 'x'.repeat(MAX_EVENT_BYTES - 100) };
    await gater.api.recordSnapshot(S, 'src-big', 'stream-1', 2, fits);
    expect((await gater.api.readSnapshot(S, 'src-big', 'stream-1', 2)).record).toEqual(fits);
  });

  it('registry - listStores, gatewayWorkers, gatewayWorkersForStore', async () => {
    const g = await startGater({ poolSize: 3 });
    try {
      expect(await g.api.listStores()).toEqual([{ store: 'reg_gh', node: g.node!.name }]);
      expect(g.api.gatewayWorkers()).toHaveLength(3);
      expect(g.api.gatewayWorkersForStore('reg_gh').every((w) => w.store === 'reg_gh' && w.node === g.node!.name)).toBe(
        true,
      );
      expect(g.api.gatewayWorkersForStore('nope')).toEqual([]);
    } finally {
      await g.stop();
    }
  });
});

describe('embedded mode opens no sockets', () => {
  it('startGater() with no options: no TCP or UDP handle appears, even while it works', async () => {
    const netResources = () => process.getActiveResourcesInfo().filter((r) => /TCP|UDP|Pipe/i.test(r));
    const before = netResources();
    const g = await startGater();
    await g.api.appendEvents('reg_gh', 'no-sockets', [{ eventType: 'x', data: {} }]);
    await g.api.saveSubscription('reg_gh', 'by_stream', '$all', 'transient', 0, () => {});
    expect(g.mode).toBe('embedded');
    expect(netResources()).toEqual(before);
    await g.stop();
  });
});
