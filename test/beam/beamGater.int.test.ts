/**
 * The GaterApi over the BEAM bridge against a fixture ExESDB cluster of two real OTP nodes (loopback, private
 * EPMD): every API call, a version conflict, live events by pg, and a node killed mid-call.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBeamGater } from '../../src/gateway/beam.js';
import { rpcCall } from '../../src/core/beam/rpc.js';
import type { BeamLink } from '../../src/core/beam/beamLink.js';
import { isGaterError } from '../../src/core/errors.js';
import type { EventRecord } from '../../src/core/types.js';
import { ObserverRegistry } from '../../src/core/observers/index.js';
import { decodeHeartbeat, encodeHeartbeat } from '../../src/core/gossip/packet.js';
import { freePort, startFixtureCluster, type FixtureCluster, removeFixtureBuilds } from '../helpers/beamCluster.js';

let cluster: FixtureCluster;
let gater: Awaited<ReturnType<typeof startBeamGater>>;
const S = 'reg_gh';

function open(extra: Partial<Parameters<typeof startBeamGater>[0]> = {}) {
  return startBeamGater({
    nodes: cluster.nodes.map((n) => n.name),
    cookie: cluster.cookie,
    store: S,
    epmdPort: cluster.epmd.port,
    timeoutMs: 3000,
    noWorkersWaitMs: 2000,
    ...extra,
  });
}

function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error('condition not met in time'));
      setTimeout(tick, 20);
    };
    tick();
  });
}

beforeAll(async () => {
  cluster = await startFixtureCluster(2, { prefix: `gw${process.pid}` });
  gater = await open();
}, 60_000);

afterAll(async () => {
  await gater?.stop();
  await cluster?.stop();
  removeFixtureBuilds();
});

describe('GaterApi over the BEAM bridge (fixture ExESDB, two OTP nodes)', () => {
  it('status - both BEAM nodes linked, with OTP release and the store', async () => {
    await until(() => gater.api.gatewayWorkersForStore(S).length === 2);
    const st = gater.beamStatus();
    expect(st.map((s) => s.state)).toEqual(['linked', 'linked']);
    expect(st[0]!.otpRelease).toMatch(/^\d+$/);
    expect(st[0]!.stores).toEqual([S]);
    expect(gater.cluster.status().nodes.map((n) => n.role)).toEqual(['beam', 'beam']);
  });

  it('append/read/version/streams - 0-based versions, records mapped from %EventRecord{}', async () => {
    const v = await gater.api.appendEvents(S, 'acc-1', [
      { eventType: 'opened', data: { owner: 'ann', n: 1.5, tags: ['a'], ok: true, none: null }, metadata: { by: 'x' } },
      { eventType: 'deposited', data: { amount: 10 } },
    ]);
    expect(v).toBe(1);
    expect(await gater.api.getVersion(S, 'acc-1')).toBe(1);
    expect(await gater.api.getVersion(S, 'nope')).toBe(-1);
    expect(await gater.api.getStreams(S)).toContain('acc-1');
    const recs = await gater.api.getEvents(S, 'acc-1', 0, 10);
    expect(recs.map((r) => [r.eventNumber, r.eventType])).toEqual([
      [0, 'opened'],
      [1, 'deposited'],
    ]);
    const r0 = recs[0]!;
    expect(r0.data).toEqual({ owner: 'ann', n: 1.5, tags: ['a'], ok: true, none: null });
    expect(r0.metadata).toEqual({ by: 'x' });
    expect(r0.eventStreamId).toBe('acc-1');
    expect(r0.eventId).toMatch(/^[0-9A-Z]{26}$/);
    expect(r0.dataContentType).toBe(1);
    // created comes from the DateTime struct, createdEpoch from created_epoch: the same instant
    expect(Date.parse(r0.created) * 1000).toBe(Math.floor(r0.createdEpoch / 1000) * 1000);
    expect(Math.abs(Date.now() - Date.parse(r0.created))).toBeLessThan(60_000);
    const back = await gater.api.getEvents(S, 'acc-1', 1, 5, 'backward');
    expect(back.map((r) => r.eventNumber)).toEqual([1, 0]);
  });

  it('append - expected versions; a conflict is wrong_expected_version with current', async () => {
    expect(await gater.api.appendEvents(S, 'ev-1', [{ eventType: 't', data: {} }], 'no_stream')).toBe(0);
    expect(await gater.api.appendEvents(S, 'ev-1', [{ eventType: 't', data: {} }], 0)).toBe(1);
    expect(await gater.api.appendEvents(S, 'ev-1', [{ eventType: 't', data: {} }], 'stream_exists')).toBe(2);
    const err = await gater.api.appendEvents(S, 'ev-1', [{ eventType: 't', data: {} }], 0).catch((e: unknown) => e);
    expect(isGaterError(err, 'wrong_expected_version')).toBe(true);
    expect((err as { current: number }).current).toBe(2);
    const none = await gater.api
      .appendEvents(S, 'ev-missing', [{ eventType: 't', data: {} }], 'stream_exists')
      .catch((e: unknown) => e);
    expect(isGaterError(none, 'wrong_expected_version')).toBe(true);
    expect((none as { current: number }).current).toBe(-1);
  });

  it('read - invalid parameters are typed before or by the node', async () => {
    await expect(gater.api.getEvents(S, 'acc-1', -1, 1)).rejects.toMatchObject({ code: 'invalid_start_version' });
    await expect(gater.api.getEvents(S, 'acc-1', 0, 0)).rejects.toMatchObject({ code: 'invalid_count' });
    expect(await gater.api.getEvents(S, 'missing', 0, 5)).toEqual([]);
  });

  it('snapshots - record, read, list, delete; a missing one is not_found', async () => {
    await gater.api.recordSnapshot(S, 'src-1', 'acc-1', 3, { balance: 10 });
    await until(() => true);
    const snap = await gater.api.readSnapshot(S, 'src-1', 'acc-1', 3);
    expect(snap.record).toEqual({ balance: 10 });
    expect(snap.version).toBe(3);
    expect(snap.created).toMatch(/^\d{4}-\d\d-\d\dT/);
    const list = await gater.api.listSnapshots(S, 'any', 'acc-1');
    expect(list.map((s) => [s.sourceUuid, s.streamUuid, s.version])).toEqual([['src-1', 'acc-1', 3]]);
    await gater.api.deleteSnapshot(S, 'src-1', 'acc-1', 3);
    await expect(gater.api.readSnapshot(S, 'src-1', 'acc-1', 3)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('subscriptions - the default all-events is listed; a named one is saved and removed', async () => {
    const before = await gater.api.getSubscriptions(S);
    expect(before.some((s) => s.name === 'all-events' && s.selector === '$all')).toBe(true);
    const h = await gater.api.saveSubscription(S, 'by_stream', '$acc-1', 'audit', 0, () => {});
    let subs = await gater.api.getSubscriptions(S);
    expect(subs.find((s) => s.name === 'audit')).toMatchObject({ topic: `${S}:$audit`, persistent: true });
    await h.close();
    await gater.api.removeSubscription(S, 'by_stream', '$acc-1', 'audit');
    await until(() => true);
    subs = await gater.api.getSubscriptions(S);
    expect(subs.some((s) => s.name === 'audit')).toBe(false);
  });

  it('live - an observer of $all and one of a stream receive the cluster broadcasts', async () => {
    const observers = new ObserverRegistry(gater.api, S);
    const seenAll: EventRecord[] = [];
    const seenStream: EventRecord[] = [];
    await observers.create('all', 'by_stream', '$all', { listener: (e: EventRecord[]) => seenAll.push(...e) });
    await observers.create('one', 'by_stream', '$live-1', { listener: (e: EventRecord[]) => seenStream.push(...e) });
    await gater.api.appendEvents(S, 'live-1', [
      { eventType: 'a', data: { i: 1 } },
      { eventType: 'b', data: { i: 2 } },
    ]);
    await gater.api.appendEvents(S, 'live-2', [{ eventType: 'c', data: { i: 3 } }]);
    await until(() => seenAll.length >= 3 && seenStream.length >= 2);
    expect(seenStream.map((r) => r.eventNumber)).toEqual([0, 1]);
    expect(seenAll.map((r) => r.eventType)).toEqual(['a', 'b', 'c']);
    expect(gater.beamStatus().every((s) => s.pubsubJoined)).toBe(true);
    await observers.stopAll();
    // the per-stream ExESDB subscription we added is removed again
    await until(() => true);
    const subs = await gater.api.getSubscriptions(S);
    expect(subs.some((s) => s.selector === '$live-1')).toBe(false);
  });

  it('stream subscription - replays from startFrom, then live, no gaps or repeats', async () => {
    await gater.api.appendEvents(
      S,
      'rep-1',
      [0, 1, 2].map((i) => ({ eventType: 'r', data: { i } })),
    );
    const got: number[] = [];
    const h = await gater.api.saveSubscription(S, 'by_stream', '$rep-1', 'transient', 1, (evs) =>
      got.push(...evs.map((e) => e.eventNumber)),
    );
    await gater.api.appendEvents(S, 'rep-1', [{ eventType: 'r', data: { i: 3 } }]);
    await until(() => got.length >= 3);
    expect(got).toEqual([1, 2, 3]);
    await h.close();
  });

  it('hidden - our node is not in the cluster nodes() and loads no code there', async () => {
    const link = gater.registry.links()[0] as BeamLink;
    const visible = await rpcCall(link.conn, 'erlang', 'nodes', [], 3000);
    expect((visible as unknown[]).map(String)).not.toContain(link.conn.name);
    const loaded = await rpcCall(link.conn, 'code', 'all_loaded', [], 3000);
    expect(JSON.stringify(loaded)).not.toMatch(/exesdb_console|ex_esdb_console/);
  });

  it('auto - a foreign BEAM node heard in libcluster gossip becomes a link; we only listen (loopback only)', async () => {
    const port = await freePort();
    const group = '239.255.0.1';
    // A second member of the gossip group, as every ExESDB node is: it hears whatever the console sends there.
    const listener = createSocket({ type: 'udp4', reuseAddr: true });
    const heard: Buffer[] = [];
    listener.on('message', (m) => heard.push(m));
    await new Promise<void>((r) => listener.bind(port, '0.0.0.0', () => r()));
    listener.addMembership(group, '127.0.0.1');
    const sock = createSocket('udp4');
    sock.bind(0, '127.0.0.1', () => {
      sock.setMulticastInterface('127.0.0.1');
      sock.setMulticastLoopback(true);
    });
    // What an ExESDB node's libcluster Gossip sends: #{node => Node}, AES-256-CBC under sha256(secret).
    const packet = encodeHeartbeat({ node: cluster.nodes[0]!.name }, { secret: 'gossip_s3cret' });
    const timer = setInterval(() => sock.send(packet, port, group), 100);
    const auto = await open({
      nodes: 'auto',
      name: `auto_${process.pid}@localhost`,
      gossip: { secret: 'gossip_s3cret', port, addr: group, iface: '127.0.0.1', heartbeatMs: 200 },
    });
    try {
      await until(() => auto.api.gatewayWorkersForStore(S).length === 1);
      expect(auto.beamStatus().map((b) => [b.node, b.state])).toEqual([[cluster.nodes[0]!.name, 'linked']]);
      expect(await auto.api.getVersion(S, 'acc-1')).toBe(1);
      // A barrier: a probe sent now arrives after anything the console sent while it started and linked.
      const probe = encodeHeartbeat({ node: 'probe@localhost' }, { secret: 'gossip_s3cret' });
      sock.send(probe, port, group);
      await until(() => heard.some((m) => m.equals(probe)));
      // Listen-only: a heartbeat naming us would make every ExESDB node try to connect to us as a visible node.
      const ours = heard.filter((m) => !m.equals(packet) && !m.equals(probe));
      expect(ours.map((m) => decodeHeartbeat(m, { secret: 'gossip_s3cret' }))).toEqual([]);
    } finally {
      clearInterval(timer);
      sock.close();
      listener.close();
      await auto.stop();
    }
  });

  // Refused by the handshake, not left to run into the connect deadline (that would be `timeout`).
  it('wrong cookie - startBeamGater fails with unauthorized, not a timeout', async () => {
    const err = await open({ cookie: 'not-the-cookie' }).catch((e: unknown) => e);
    expect(isGaterError(err, 'unauthorized')).toBe(true);
  });

  it('failover - a BEAM node killed mid-call: typed error on its link, the call completes on the other', async () => {
    const [a, b] = cluster.nodes;
    await gater.api.appendEvents(S, 'fo-1', [
      { eventType: 'x', data: {} },
      { eventType: 'y', data: {} },
    ]);
    // the API with its pick pinned to node b: it must fail over to node a. Candidates come in link order, which
    // depends on which node answered first, so the rng aims at b's index rather than at "the last one".
    const aimAtB = () => {
      const order = pinned.registry.links().map((l) => l.node);
      return (Math.max(0, order.indexOf(b!.name)) + 0.5) / Math.max(1, order.length);
    };
    const pinned: Awaited<ReturnType<typeof open>> = await open({
      rng: () => aimAtB(),
      name: `pinned_${process.pid}@localhost`,
    });
    await until(() => pinned.api.gatewayWorkersForStore(S).length === 2);
    const linkB = gater.registry.link(b!.name) as BeamLink;
    await rpcCall(linkB.conn, 'fixture_node', 'set_delay', [2000], 3000);
    // the raw link: a typed error, not a hang
    const direct = linkB
      .request('getVersion', { store: S, worker: '', streamId: 'acc-1' }, 5000)
      .catch((e: unknown) => e);
    const viaApi = pinned.api.getEvents(S, 'fo-1', 0, 10);
    await new Promise((r) => setTimeout(r, 400));
    await b!.kill();
    const err = await direct;
    expect(isGaterError(err, 'connection_closed'), String(err)).toBe(true);
    const recs = await viaApi;
    expect(recs.map((r) => r.eventNumber)).toEqual([0, 1]);
    expect(pinned.registry.routed.get(`${b!.name}/rex`)).toBeGreaterThan(0);
    expect(pinned.registry.routed.get(`${a!.name}/rex`)).toBeGreaterThan(0);
    await pinned.stop();
  }, 20_000);
});
