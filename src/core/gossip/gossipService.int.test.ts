/**
 * Real UDP on loopback only (DESIGN §9): every socket joins and sends via 127.0.0.1, TTL 1, and each test
 * uses its own gossip port and group, because Linux delivers group traffic to every socket bound to the port.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { startGossip, type GossipOptions, type GossipService } from './gossipService.js';
import type { MembershipEvent } from './membership.js';
import { HEARTBEAT_PRELUDE, encodeHeartbeat } from './packet.js';
import { atom, encodeTerm, termMap } from '../wire/etf.js';

const HB = 100;
const LOOPBACK = '127.0.0.1';
const portBase = 40000 + Math.floor(Math.random() * 19000);
let testIndex = 0;

/** A fresh port and group per test. */
function net(): { gossipPort: number; multicastAddr: string } {
  testIndex++;
  return { gossipPort: portBase + testIndex, multicastAddr: `239.255.${(portBase + testIndex) % 250}.${testIndex}` };
}

const running: GossipService[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function start(
  n: ReturnType<typeof net>,
  name: string,
  extra: Partial<GossipOptions> = {},
): Promise<GossipService> {
  const s = await startGossip({
    nodeName: `${name}@127.0.0.1`,
    role: 'node',
    host: LOOPBACK,
    port: 4000 + running.length,
    stores: ['reg_gh'],
    interfaceAddr: LOOPBACK,
    heartbeatMs: HB,
    ...n,
    ...extra,
  });
  running.push(s);
  return s;
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const aliveNodes = (s: GossipService) =>
  s.membership
    .snapshot()
    .members.filter((m) => m.state === 'alive')
    .map((m) => m.node);

describe('gossip service on loopback', () => {
  it('three services find each other (the two-heartbeat bound is measured by npm run bench)', async () => {
    const n = net();
    const all = await Promise.all(['a', 'b', 'c'].map((x) => start(n, x)));
    await waitFor('full mesh', () => all.every((s) => aliveNodes(s).length === 2), 40 * HB);
    const [a, b] = all as [GossipService, GossipService];
    expect(a.membership.get('b@127.0.0.1')).toMatchObject({
      role: 'node',
      host: LOOPBACK,
      stores: ['reg_gh'],
      address: LOOPBACK,
      incarnation: b.incarnation,
    });
    // Our own looped-back heartbeats are not members.
    expect(aliveNodes(a)).not.toContain('a@127.0.0.1');

    b.update({ stores: ['reg_gh', 'orders'], port: 4999 });
    // The deadline only bounds a failure; how soon an update arrives is the bench's business.
    await waitFor('update to arrive', () => a.membership.get('b@127.0.0.1')?.port === 4999, 40 * HB);
    expect(a.membership.get('b@127.0.0.1')?.stores).toEqual(['reg_gh', 'orders']);
  });

  it('a wrong-secret sender never appears and is counted as bad by source address', async () => {
    const n = net();
    const logs: string[] = [];
    const log = (_l: string, m: string) => logs.push(m);
    const a = await start(n, 'a', { secret: 'right-secret', log });
    await start(n, 'b', { secret: 'right-secret', log });
    const c = await start(n, 'c', { secret: 'wrong-secret', log });
    await waitFor('a to see b', () => aliveNodes(a).includes('b@127.0.0.1'));
    await waitFor('several bad packets at a', () => (a.membership.snapshot().badSources[0]?.count ?? 0) >= 3);
    expect(a.membership.snapshot().members.map((m) => m.node)).toEqual(['b@127.0.0.1']);
    expect(c.membership.snapshot().members).toEqual([]);
    const bad = a.membership.snapshot().badSources;
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ address: LOOPBACK });
    expect(['decrypt_failed', 'no_prelude']).toContain(bad[0]?.lastReason);
    expect(logs.some((l) => l.includes('wrong secret?'))).toBe(true);
    expect(logs.join('\n')).not.toMatch(/right-secret|wrong-secret/);
  });

  it('a stopped member goes suspect, then down', async () => {
    const n = net();
    const a = await start(n, 'a');
    const b = await start(n, 'b');
    await waitFor('a to see b', () => aliveNodes(a).includes('b@127.0.0.1'));
    const events: Array<{ e: MembershipEvent; at: number }> = [];
    a.membership.subscribe((e) => events.push({ e, at: Date.now() }));
    const stoppedAt = Date.now();
    await b.stop();
    await waitFor('b down', () => a.membership.get('b@127.0.0.1')?.state === 'down', 30 * HB);
    const types = events.map((x) => x.e.type);
    expect(types).toEqual(['node_suspect', 'node_down']);
    const [suspect, down] = events.map((x) => x.at - stoppedAt) as [number, number];
    expect(suspect).toBeGreaterThanOrEqual(2 * HB);
    expect(down).toBeGreaterThanOrEqual(8 * HB);
    expect(events[1]?.e).toMatchObject({ reason: 'missed_heartbeats' });
  });

  it('markDown on a live member holds it down briefly, then it comes back', async () => {
    const n = net();
    const a = await start(n, 'a');
    await start(n, 'b');
    await waitFor('a to see b', () => aliveNodes(a).includes('b@127.0.0.1'));
    expect(a.membership.markDown('b@127.0.0.1', 'connection_closed')).toBe(true);
    expect(a.membership.get('b@127.0.0.1')?.state).toBe('down');
    await waitFor('b back', () => a.membership.get('b@127.0.0.1')?.state === 'alive', 40 * HB);
  });

  it('thousands of garbage, truncated and oversized datagrams are counted and crash nothing', async () => {
    const n = net();
    const a = await start(n, 'a');
    const b = await start(n, 'b');
    await waitFor('a to see b', () => aliveNodes(a).includes('b@127.0.0.1'));
    const garbage = makeGarbage(3000);
    const sender = await loopbackSender();
    try {
      let sent = 0;
      for (const batch of batches(garbage, 64, 64 * 1024)) {
        await Promise.all(batch.map((d) => new Promise((r) => sender.send(d, n.gossipPort, n.multicastAddr, r))));
        sent += batch.length;
        // Pace on the receiver so the kernel's socket buffer never overflows: then every count is exact.
        await waitFor(`receiver to take ${sent} datagrams`, () => a.membership.snapshot().badPacketsTotal >= sent);
      }
    } finally {
      sender.close();
    }
    for (const s of [a, b]) {
      const snap = s.membership.snapshot();
      expect(snap.badPacketsTotal).toBe(garbage.length);
      expect(snap.badSources).toEqual([expect.objectContaining({ address: LOOPBACK, count: garbage.length })]);
      expect(snap.members.map((m) => [m.node, m.state])).toHaveLength(1);
    }
    // Still fully working: a newcomer is seen.
    await start(n, 'c');
    await waitFor('a to see c', () => aliveNodes(a).includes('c@127.0.0.1'));
  });

  it('refuses non-multicast groups and bad interfaces without opening a socket', async () => {
    const base = {
      nodeName: 'x@h',
      role: 'node' as const,
      host: LOOPBACK,
      port: 1,
      stores: [],
      interfaceAddr: LOOPBACK,
    };
    // only 224.0.0.0/4 passes, so unicast and broadcast groups are refused alike (none is ever sent to)
    await expect(startGossip({ ...base, multicastAddr: '127.0.0.1' })).rejects.toThrow(/multicast/);
    await expect(startGossip({ ...base, interfaceAddr: 'lo' })).rejects.toThrow(/interface/);
    await expect(startGossip({ ...base, ...net(), port: 70000 })).rejects.toThrow(/port/);
  });
});

/** A sender that can only reach loopback: bound to 127.0.0.1, multicast via 127.0.0.1, TTL 1. */
async function loopbackSender(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, LOOPBACK, r));
  s.setMulticastInterface(LOOPBACK);
  s.setMulticastTTL(1);
  return s;
}

/** Datagrams that can never be a valid heartbeat, in every shape the decoder has to survive. */
function makeGarbage(count: number): Buffer[] {
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const bytes = (len: number) => Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)));
  const valid = encodeHeartbeat({
    node: 'g@127.0.0.1',
    info: { v: 1, role: 'node', host: LOOPBACK, port: 1, stores: ['s'], incarnation: 1 },
  });
  const tags = [97, 98, 100, 104, 106, 107, 108, 109, 110, 116, 119];
  const makers: Array<(i: number) => Buffer> = [
    () => bytes(Math.floor(rand() * 1400)), // noise, including empty datagrams
    (i) => valid.subarray(0, i % valid.length), // every truncation of a real packet
    () => Buffer.concat([HEARTBEAT_PRELUDE, bytes(Math.floor(rand() * 200))]),
    () =>
      Buffer.concat([
        HEARTBEAT_PRELUDE,
        Buffer.from([131]),
        Buffer.from(
          Array.from({ length: 1 + Math.floor(rand() * 40) }, () =>
            rand() < 0.4 ? (tags[Math.floor(rand() * tags.length)] as number) : Math.floor(rand() * 5),
          ),
        ),
      ]),
    () => bytes(16385 + Math.floor(rand() * 15000)), // over the 16 KiB cap
    () => Buffer.concat([HEARTBEAT_PRELUDE, encodeTerm(termMap([[atom('node'), Buffer.from('n@h')]]))]),
    () =>
      Buffer.concat([
        HEARTBEAT_PRELUDE,
        encodeTerm(
          termMap([
            [atom('node'), atom('n@h')],
            [atom('ts'), Buffer.from('{')],
          ]),
        ),
      ]),
  ];
  const oversized = makers.splice(4, 1)[0] as () => Buffer;
  // Every 40th is oversized: enough to prove the cap, few enough to keep the paced send fast.
  return Array.from({ length: count }, (_, i) =>
    i % 40 === 39 ? oversized() : (makers[i % makers.length] as (i: number) => Buffer)(Math.floor(i / makers.length)),
  );
}

function* batches(items: Buffer[], maxCount: number, maxBytes: number): Generator<Buffer[]> {
  let batch: Buffer[] = [];
  let size = 0;
  for (const d of items) {
    if (batch.length > 0 && (batch.length >= maxCount || size + d.length > maxBytes)) {
      yield batch;
      batch = [];
      size = 0;
    }
    batch.push(d);
    size += d.length;
  }
  if (batch.length) yield batch;
}
