import { describe, expect, it } from 'vitest';
import { Membership, type MembershipEvent, type MembershipOptions } from './membership.js';
import { decodeHeartbeat, encodeHeartbeat, type DecodedHeartbeat, type HeartbeatInfo } from './packet.js';

const HB = 100;

function setup(opts: MembershipOptions = {}) {
  let t = 1_000_000;
  const clock = {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
  const m = new Membership({ heartbeatMs: HB, now: clock.now, ...opts });
  const events: MembershipEvent[] = [];
  m.subscribe((e) => events.push(e));
  const types = () => events.map((e) => e.type);
  return { m, clock, events, types };
}

const info = (over: Partial<HeartbeatInfo> = {}): HeartbeatInfo => ({
  v: 1,
  role: 'node',
  host: '127.0.0.1',
  port: 4100,
  stores: ['reg_gh'],
  incarnation: 1,
  ...over,
});
const ours = (node: string, over: Partial<HeartbeatInfo> = {}): DecodedHeartbeat => ({
  kind: 'ours',
  node,
  info: info(over),
});

/** Advances the clock in half-interval steps, ticking like the service does, for `ms`. */
function run(s: ReturnType<typeof setup>, ms: number, beat?: () => void): void {
  for (let el = 0; el < ms; el += HB / 2) {
    s.clock.advance(HB / 2);
    if (beat && el % HB === 0) beat();
    s.m.tick();
  }
}

describe('membership', () => {
  it('first heartbeat - node_up with role, port, stores and address', () => {
    const s = setup();
    s.m.ingest(ours('a@h'), '10.0.0.5');
    expect(s.events).toEqual([expect.objectContaining({ type: 'node_up', node: 'a@h', restarted: false })]);
    expect(s.m.snapshot().members).toEqual([
      expect.objectContaining({
        node: 'a@h',
        state: 'alive',
        role: 'node',
        port: 4100,
        stores: ['reg_gh'],
        address: '10.0.0.5',
      }),
    ]);
  });

  it('own packets - same node and incarnation ignored; another incarnation of our name is a member', () => {
    const s = setup({ self: { node: 'me@h', incarnation: 5 } });
    s.m.ingest(ours('me@h', { incarnation: 5 }), '127.0.0.1');
    expect(s.events).toEqual([]);
    s.m.ingest(ours('me@h', { incarnation: 6 }), '127.0.0.1');
    expect(s.types()).toEqual(['node_up']);
  });

  it('silence - suspect after 3 missed intervals, down after 10, forgotten after 60', () => {
    const s = setup();
    s.m.ingest(ours('a@h'), 'x');
    s.clock.advance(2.9 * HB);
    s.m.tick();
    expect(s.m.get('a@h')?.state).toBe('alive');
    s.clock.advance(0.1 * HB);
    s.m.tick();
    expect(s.m.get('a@h')).toMatchObject({ state: 'suspect', missed: 3, heartbeatAgeMs: 3 * HB });
    s.clock.advance(7 * HB);
    s.m.tick();
    expect(s.m.get('a@h')).toMatchObject({ state: 'down', downReason: 'missed_heartbeats' });
    s.clock.advance(49 * HB);
    s.m.tick();
    expect(s.m.get('a@h')).toBeDefined();
    s.clock.advance(1 * HB);
    s.m.tick();
    expect(s.m.get('a@h')).toBeUndefined();
    expect(s.types()).toEqual(['node_up', 'node_suspect', 'node_down']);
  });

  it('recovery - a heartbeat brings a suspect or down member back with node_up', () => {
    const s = setup();
    s.m.ingest(ours('a@h'), 'x');
    run(s, 4 * HB);
    s.m.ingest(ours('a@h'), 'x');
    // The outage taught the learned interval at most 20 % more; 15 intervals of silence still mean down.
    run(s, 15 * HB);
    s.m.ingest(ours('a@h'), 'x');
    expect(s.types()).toEqual(['node_up', 'node_suspect', 'node_up', 'node_suspect', 'node_down', 'node_up']);
    expect(s.m.get('a@h')?.state).toBe('alive');
  });

  it('markDown - down at once, same-incarnation heartbeats held off for 3 intervals, then up', () => {
    const s = setup();
    s.m.ingest(ours('a@h'), 'x');
    expect(s.m.markDown('a@h', 'connection_closed')).toBe(true);
    expect(s.m.markDown('a@h', 'again')).toBe(false);
    expect(s.m.markDown('nobody@h', 'x')).toBe(false);
    expect(s.events.at(-1)).toMatchObject({ type: 'node_down', reason: 'connection_closed' });
    run(s, 2 * HB, () => s.m.ingest(ours('a@h'), 'x'));
    expect(s.m.get('a@h')?.state).toBe('down');
    run(s, 2 * HB, () => s.m.ingest(ours('a@h'), 'x'));
    expect(s.m.get('a@h')?.state).toBe('alive');
    expect(s.types()).toEqual(['node_up', 'node_down', 'node_up']);
  });

  it('markDown - a restart (new incarnation) is admitted during the hold', () => {
    const s = setup();
    s.m.ingest(ours('a@h'), 'x');
    s.m.markDown('a@h', 'connection_closed');
    s.m.ingest(ours('a@h', { incarnation: 2 }), 'x');
    expect(s.events.at(-1)).toMatchObject({ type: 'node_up', restarted: true });
  });

  it('restart - higher incarnation ends the old life and starts a new one; late old packets are ignored', () => {
    const s = setup();
    s.m.ingest(ours('a@h', { incarnation: 10 }), 'x');
    s.m.ingest(ours('a@h', { incarnation: 20, port: 4200 }), 'y');
    expect(s.events.slice(1)).toEqual([
      expect.objectContaining({ type: 'node_down', reason: 'restarted' }),
      expect.objectContaining({ type: 'node_up', restarted: true }),
    ]);
    s.m.ingest(ours('a@h', { incarnation: 10 }), 'x');
    expect(s.m.get('a@h')).toMatchObject({ incarnation: 20, port: 4200, address: 'y' });
    run(s, 11 * HB);
    // Once down, any incarnation is a fresh life (a restart whose clock went backwards still gets in).
    s.m.ingest(ours('a@h', { incarnation: 5 }), 'x');
    expect(s.m.get('a@h')).toMatchObject({ state: 'alive', incarnation: 5 });
  });

  it('heartbeats - update stores and port, and teach the member interval', () => {
    const s = setup({ heartbeatMs: 1000 });
    s.m.ingest(ours('a@h'), 'x');
    for (let i = 0; i < 40; i++) {
      s.clock.advance(HB);
      s.m.ingest(ours('a@h', { stores: ['s1', 's2'], port: 9 }), 'x');
    }
    const v = s.m.get('a@h');
    expect(v).toMatchObject({ stores: ['s1', 's2'], port: 9 });
    expect(v?.expectedIntervalMs).toBeLessThan(130);
    // Now 4 learned intervals of silence mean suspect, not 4 of the 1000 ms default.
    s.clock.advance(4 * HB);
    s.m.tick();
    expect(s.m.get('a@h')?.state).toBe('suspect');
  });

  it('heartbeats - duplicates and early beats barely move the learned interval', () => {
    const s = setup();
    s.m.ingest(ours('a@h'), 'x');
    for (let i = 0; i < 20; i++) {
      s.clock.advance(HB);
      s.m.ingest(ours('a@h'), 'x');
      s.m.ingest(ours('a@h'), 'x'); // same datagram via a second route
    }
    expect(s.m.get('a@h')?.expectedIntervalMs).toBe(HB);
  });

  it('foreign - reported once, counted, forgotten after the TTL', () => {
    const s = setup({ foreignTtlMs: 1000 });
    s.m.ingest({ kind: 'foreign', node: 'beam@h' }, '10.0.0.9');
    s.m.ingest({ kind: 'foreign', node: 'beam@h' }, '10.0.0.9');
    expect(s.events).toEqual([{ type: 'foreign_node', node: 'beam@h', address: '10.0.0.9' }]);
    expect(s.m.snapshot().foreign).toEqual([{ node: 'beam@h', address: '10.0.0.9', heartbeats: 2, lastSeenAgeMs: 0 }]);
    expect(s.m.snapshot().members).toEqual([]);
    s.clock.advance(1001);
    s.m.tick();
    expect(s.m.snapshot().foreign).toEqual([]);
  });

  it('bad packets - exact counts per source, events rate-limited', () => {
    const s = setup({ badEventIntervalMs: 1000 });
    for (let i = 0; i < 500; i++) s.m.ingest({ kind: 'bad', reason: 'decrypt_failed' }, '10.0.0.1');
    s.m.ingest({ kind: 'bad', reason: 'bad_term' }, '10.0.0.2');
    expect(s.events).toEqual([
      { type: 'bad_packet', address: '10.0.0.1', reason: 'decrypt_failed', count: 1 },
      { type: 'bad_packet', address: '10.0.0.2', reason: 'bad_term', count: 1 },
    ]);
    s.clock.advance(1000);
    s.m.ingest({ kind: 'bad', reason: 'no_prelude' }, '10.0.0.1');
    expect(s.events.at(-1)).toEqual({ type: 'bad_packet', address: '10.0.0.1', reason: 'no_prelude', count: 501 });
    const snap = s.m.snapshot();
    expect(snap.badPacketsTotal).toBe(502);
    expect(snap.badSources.map((b) => [b.address, b.count, b.lastReason])).toEqual([
      ['10.0.0.1', 501, 'no_prelude'],
      ['10.0.0.2', 1, 'bad_term'],
    ]);
  });

  it('caps - floods of sources, foreign nodes and members stay bounded', () => {
    const logs: string[] = [];
    const s = setup({ maxBadSources: 4, maxForeign: 4, maxMembers: 4, log: (_l, msg) => logs.push(msg) });
    for (let i = 0; i < 100; i++) {
      s.m.ingest({ kind: 'bad', reason: 'bad_term' }, `10.0.0.${i}`);
      s.m.ingest({ kind: 'foreign', node: `b${i}@h` }, 'x');
      s.m.ingest(ours(`n${i}@h`), 'x');
    }
    const snap = s.m.snapshot();
    expect([snap.badSources.length, snap.foreign.length, snap.members.length]).toEqual([4, 4, 4]);
    expect(snap.badPacketsTotal).toBe(100);
    // Unlinked members make room for newcomers: the latest heard are the ones kept.
    expect(snap.members.map((m) => m.node)).toEqual(['n96@h', 'n97@h', 'n98@h', 'n99@h']);
    // Only when every member is linked is a newcomer refused.
    for (const m of snap.members) s.m.setLinked(m.node, true);
    s.m.ingest(ours('late@h'), 'y');
    expect(s.m.get('late@h')).toBeUndefined();
    expect(logs.some((l) => l.includes('member table full'))).toBe(true);
  });

  it("caps - a flood of forged names from one source evicts only that source's unlinked members", () => {
    const s = setup({ maxMembersPerSource: 8 });
    s.m.ingest(ours('real@h'), '10.0.0.1');
    s.m.setLinked('real@h', true);
    s.m.ingest(ours('other@h'), '10.0.0.2');
    for (let i = 0; i < 1100; i++) s.m.ingest(ours(`forged${i}@h`), '10.0.0.1');
    const members = s.m.snapshot().members;
    expect(members.filter((m) => m.address === '10.0.0.1')).toHaveLength(8);
    expect(s.m.get('real@h')).toMatchObject({ linked: true, state: 'alive' });
    expect(s.m.get('other@h')).toBeDefined();
    // a new real node is admitted at its first heartbeat
    s.m.ingest(ours('new@h'), '10.0.0.1');
    expect(s.m.get('new@h')).toBeDefined();
  });

  it('freshness - replayed, out-of-order and stale authenticated heartbeats are dropped and counted', () => {
    const s = setup();
    const auth = (seq: number, t = s.clock.now()) => ({ seq, t, valid: true });
    const hb = (seq: number, t?: number, over: Partial<HeartbeatInfo> = {}): DecodedHeartbeat => ({
      ...(ours('a@h', over) as Extract<DecodedHeartbeat, { kind: 'ours' }>),
      auth: auth(seq, t),
    });
    s.m.ingest(hb(5), 'x');
    s.m.ingest(hb(5), 'x');
    s.m.ingest(hb(3), 'x');
    s.m.ingest(hb(6, s.clock.now() - 61_000), 'x');
    s.m.ingest(hb(6), 'x');
    const bad = s.m.snapshot().badSources;
    expect(s.m.snapshot().badPacketsTotal).toBe(3);
    expect(bad[0]).toMatchObject({ address: 'x', count: 3, lastReason: 'stale' });
    expect(s.types()).toEqual(['node_up', 'bad_packet']); // bad_packet events are rate-limited per source
    // A killed node's replayed heartbeats do not keep it alive: it goes down on schedule.
    run(s, 10 * HB + HB / 2, () => s.m.ingest(hb(6), 'x'));
    expect(s.m.get('a@h')?.state).toBe('down');
    // ... and once forgotten, a replay of its last heartbeat is still recognised.
    run(s, 61 * HB);
    expect(s.m.get('a@h')).toBeUndefined();
    s.m.ingest(hb(6), 'x');
    expect(s.m.get('a@h')).toBeUndefined();
  });

  it('incarnation - a linked member does not restart on gossip alone; once unlinked it does', () => {
    const s = setup();
    s.m.ingest(ours('a@h', { incarnation: 1 }), 'x');
    s.m.setLinked('a@h', true);
    s.m.ingest(ours('a@h', { incarnation: 2 }), 'x');
    expect(s.m.get('a@h')).toMatchObject({ state: 'alive', incarnation: 1 });
    expect(s.types()).toEqual(['node_up']);
    s.m.setLinked('a@h', false);
    s.m.ingest(ours('a@h', { incarnation: 2 }), 'x');
    expect(s.m.get('a@h')).toMatchObject({ state: 'alive', incarnation: 2 });
    expect(s.types()).toEqual(['node_up', 'node_down', 'node_up']);
  });

  it('listeners - a throwing listener is logged and does not stop others; unsubscribe works', () => {
    const logs: string[] = [];
    const s = setup({ log: (_l, msg) => logs.push(msg) });
    const seen: string[] = [];
    s.m.on('node_up', () => {
      throw new Error('boom');
    });
    const off = s.m.on('node_up', (e) => seen.push(e.node));
    s.m.ingest(ours('a@h'), 'x');
    off();
    s.m.ingest(ours('b@h'), 'x');
    expect(seen).toEqual(['a@h']);
    expect(logs.filter((l) => l.includes('boom'))).toHaveLength(2);
    expect(s.types()).toEqual(['node_up', 'node_up']);
  });
});

/** Memberlist-style in-memory network: real packet encoding, no sockets, a shared fake clock. */
describe('membership over an in-memory network', () => {
  it('three nodes see each other; a stopped one goes suspect then down everywhere', () => {
    let t = 0;
    const secret = 'mem-net';
    const names = ['n1@h', 'n2@h', 'n3@h'];
    const nodes = names.map((node, i) => {
      const m = new Membership({ heartbeatMs: HB, now: () => t, self: { node, incarnation: 1 } });
      const log: string[] = [];
      m.subscribe((e) => log.push(`${e.type}:${'node' in e ? e.node : ''}`));
      return { node, m, log, running: true, port: 4100 + i };
    });
    const broadcast = (from: (typeof nodes)[number]) => {
      const packet = encodeHeartbeat({ node: from.node, info: info({ port: from.port }) }, { secret });
      for (const to of nodes) if (to.running) to.m.ingest(decodeHeartbeat(packet, { secret }), '127.0.0.1');
    };
    for (let step = 0; step < 40; step++) {
      t += HB / 2;
      if (step % 2 === 0) for (const n of nodes) if (n.running) broadcast(n);
      for (const n of nodes) n.m.tick();
      if (step === 9) (nodes[2] as (typeof nodes)[number]).running = false;
    }
    const [a, b] = nodes as [(typeof nodes)[number], (typeof nodes)[number]];
    for (const n of [a, b]) {
      expect(n.log).toEqual(expect.arrayContaining(['node_up:n3@h', 'node_suspect:n3@h', 'node_down:n3@h']));
      expect(n.m.snapshot().members.map((v) => [v.node, v.state])).toEqual(
        names.filter((x) => x !== n.node).map((x) => [x, x === 'n3@h' ? 'down' : 'alive']),
      );
    }
  });
});
