import { afterEach, describe, expect, it } from 'vitest';
import { isGaterError } from '../../src/core/errors.js';
import type { NewEvent } from '../../src/core/types.js';
import { rawNodeConnection, startTestGateway, type GatewayPath, type TestGateway } from '../helpers/gateways.js';

/** Issue 10 item 3: one validation, before anything is sent, for every path; the node checks the same way. */
describe.each<GatewayPath>(['embedded', 'tcp'])('append validation through the %s gateway', (path) => {
  let gw: TestGateway;
  afterEach(async () => gw?.stop());

  const refused = async (p: Promise<unknown>, pattern: RegExp, code = 'invalid_argument') => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isGaterError(e, code as never), `expected ${code}, got ${String(e)}`).toBe(true);
    expect((e as Error).message).toMatch(pattern);
  };

  it('refuses values JSON would change (NaN, Infinity, Date, undefined) instead of storing something else', async () => {
    gw = await startTestGateway(path);
    const api = gw.api;
    const one = (data: unknown, metadata?: unknown): NewEvent[] => [{ eventType: 't', data, metadata }];
    await refused(api.appendEvents('reg_gh', 's', one({ x: Number.NaN })), /data\.x holds NaN/);
    await refused(api.appendEvents('reg_gh', 's', one({ y: [1, Infinity] })), /data\.y\[1\] holds Infinity/);
    await refused(api.appendEvents('reg_gh', 's', one({ at: new Date(0) })), /data\.at is a Date/);
    await refused(api.appendEvents('reg_gh', 's', one({ gone: undefined })), /data\.gone is undefined/);
    await refused(api.appendEvents('reg_gh', 's', one({}, { a: Number.NaN })), /metadata\.a holds NaN/);
    await refused(api.appendEvents('reg_gh', 's', one({}, 'text')), /metadata must be a JSON object/);
    await refused(api.appendEvents('reg_gh', 's', one({}, [1])), /metadata must be a JSON object/);
    expect(await api.getVersion('reg_gh', 's')).toBe(-1); // nothing was written
    // what passes is stored exactly as given
    await api.appendEvents('reg_gh', 's', one({ x: 1.5, s: 'é😀', n: null }, { c: 'd' }));
    const [back] = await api.getEvents('reg_gh', 's', 0, 1);
    expect(back).toMatchObject({ data: { x: 1.5, s: 'é😀', n: null }, metadata: { c: 'd' } });
  });

  it('refuses NUL and lone surrogates in stream ids and event types, and reserved $ stream ids', async () => {
    gw = await startTestGateway(path);
    const api = gw.api;
    const ev: NewEvent[] = [{ eventType: 't', data: {} }];
    await refused(api.appendEvents('reg_gh', 'a\u0000b', ev), /stream id contains a NUL/);
    await refused(api.appendEvents('reg_gh', 'x\ud800y', ev), /stream id contains a lone UTF-16 surrogate/);
    await refused(api.appendEvents('reg_gh', 's', [{ eventType: 'a\u0000', data: {} }]), /eventType contains a NUL/);
    await refused(api.appendEvents('reg_gh', 's', [{ eventType: '\udfff', data: {} }]), /eventType contains a lone/);
    await refused(api.appendEvents('reg_gh', 's', [{ eventType: 't', eventId: 'i\u0000', data: {} }]), /eventId/);
    await refused(api.appendEvents('reg_gh', '$all', ev), /starts with "\$", which is reserved/);
    await refused(api.appendEvents('reg_gh', 'x'.repeat(1025), ev), /longer than 1024/);
    await refused(api.appendEvents('reg_gh', 's', [{ eventType: 't'.repeat(513), data: {} }]), /longer than 512/);
    expect(await api.getStreams('reg_gh')).toEqual([]);
  });

  it('takes only safe integers for versions and counts (2 ** 53 + 2 is refused, not rounded)', async () => {
    gw = await startTestGateway(path);
    const api = gw.api;
    const ev: NewEvent[] = [{ eventType: 't', data: {} }];
    await refused(api.appendEvents('reg_gh', 's', ev, 2 ** 53 + 2), /expected version must be/);
    await refused(api.appendEvents('reg_gh', 's', ev, 1.5), /expected version must be/);
    await refused(api.getEvents('reg_gh', 's', 2 ** 53, 1), /start version/, 'invalid_start_version');
    await refused(api.getEvents('reg_gh', 's', 0, 2 ** 60), /count/, 'invalid_count');
    expect(await api.getVersion('reg_gh', 's')).toBe(-1);
  });
});

describe('the store node validates again (a gateway that skips the checks changes nothing)', () => {
  it('refuses a raw TCP append with a lone surrogate stream id, a $ stream id or non-object metadata', async () => {
    const gw = await startTestGateway('tcp');
    const { conn, worker } = await rawNodeConnection(gw);
    try {
      const send = (streamId: string, events: unknown[]) =>
        conn.request('append', { store: 'reg_gh', worker, streamId, events, expectedVersion: 'any' }, 2000);
      await expect(send('x\ud800y', [{ eventType: 't', data: {} }])).rejects.toMatchObject({
        code: 'invalid_argument',
      });
      await expect(send('$all', [{ eventType: 't', data: {} }])).rejects.toMatchObject({ code: 'invalid_argument' });
      await expect(send('s', [{ eventType: 't', data: {}, metadata: 7 }])).rejects.toMatchObject({
        code: 'invalid_argument',
      });
      expect(await gw.api.getStreams('reg_gh')).toEqual([]);
    } finally {
      conn.close();
      await gw.stop();
    }
  });
});
