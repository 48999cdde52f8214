/**
 * The Erlang distribution client against real OTP nodes (fixture cluster on a private EPMD, loopback only):
 * EPMD lookup, handshake with the right and a wrong cookie, hidden-ness, rpc through rex, $gen_call, the term
 * codec both ways, large terms, ticks over an idle period, a node killed mid-call.
 */
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDist, type DistConnection } from '../../src/core/beam/distConnection.js';
import { lookupNode } from '../../src/core/beam/epmd.js';
import { genCall, rpcCall } from '../../src/core/beam/rpc.js';
import { isGaterError } from '../../src/core/errors.js';
import {
  Atom,
  ImproperList,
  type OpaqueTerm,
  Pid,
  Reference,
  type TermMap,
  Tuple,
  atom,
  encodeTerm,
  termEquals,
  termMap,
  tuple,
  type Term,
} from '../../src/core/wire/etf.js';
import { startFixtureCluster, type FixtureCluster, removeFixtureBuilds } from '../helpers/beamCluster.js';

let cluster: FixtureCluster;
const conns: DistConnection[] = [];
let seq = 0;

async function link(node = cluster.nodes[0]!.name, extra: { cookie?: string; tickIntervalMs?: number } = {}) {
  const c = await connectDist({
    node,
    name: `dist_test_${process.pid}_${++seq}@${hostname()}`,
    cookie: extra.cookie ?? cluster.cookie,
    epmdPort: cluster.epmd.port,
    tickIntervalMs: extra.tickIntervalMs,
  });
  conns.push(c);
  return c;
}

beforeAll(async () => {
  cluster = await startFixtureCluster(2, { prefix: `dist${process.pid}`, netTicktime: 4 });
}, 60_000);

afterAll(async () => {
  for (const c of conns) c.close();
  await cluster?.stop();
  removeFixtureBuilds();
});

describe('BEAM distribution client against OTP', () => {
  it('epmd - finds the node port; an unknown name is not_found', async () => {
    const e = await lookupNode('localhost', cluster.nodes[0]!.name.split('@')[0]!, { port: cluster.epmd.port });
    expect(e.port).toBeGreaterThan(0);
    expect(e.highestVersion).toBeGreaterThanOrEqual(6);
    await expect(lookupNode('localhost', 'nobody_here', { port: cluster.epmd.port })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it("handshake - the right cookie links, hidden: not in the node's nodes(), present in nodes(hidden)", async () => {
    const c = await link();
    expect(c.peer).toBe(cluster.nodes[0]!.name);
    const visible = await rpcCall(c, 'erlang', 'nodes', [], 3000);
    const hidden = await rpcCall(c, 'erlang', 'nodes', [atom('hidden')], 3000);
    expect((visible as Term[]).some((n) => n instanceof Atom && n.name === c.name)).toBe(false);
    expect((hidden as Term[]).some((n) => n instanceof Atom && n.name === c.name)).toBe(true);
  });

  // Refused by the handshake, not left to run into connectDist's deadline (that would be `timeout`).
  it('handshake - a wrong cookie is unauthorized, not a timeout', async () => {
    const err = await link(undefined, { cookie: 'wrong_cookie' }).catch((e: unknown) => e);
    expect(isGaterError(err, 'unauthorized'), String(err)).toBe(true);
  });

  it('rpc - results and badrpc come back as terms', async () => {
    const c = await link();
    expect(await rpcCall(c, 'erlang', 'abs', [-5], 3000)).toBe(5);
    const bad = await rpcCall(c, 'erlang', 'list_to_atom', [42], 3000);
    expect(bad).toBeInstanceOf(Tuple);
    expect(((bad as Tuple).elements[0] as Atom).name).toBe('badrpc');
  });

  it('codec - Erlang decodes what we encode and we decode what Erlang encodes, for every gater kind', async () => {
    const c = await link();
    const self = c.newPid();
    const sample: Term = termMap([
      [atom('pid'), self],
      [atom('ref'), c.newRef()],
      [atom('utf8_atom'), atom('日本_ü')],
      [atom('bin'), Buffer.from('stream-1')],
      [atom('list'), [1, 2, 3, 300]],
      [atom('improper'), new ImproperList([1, 2], atom('tail'))],
      [atom('tuple'), tuple(atom('ok'), -1, 2 ** 40, -(2n ** 70n))],
      [atom('float'), 1.25],
      [atom('map'), termMap([[Buffer.from('k'), [termMap([])]]])],
    ]);
    // term_to_binary of the term we sent: Erlang re-encodes it, and the bytes must decode to an equal term
    const back = await rpcCall(c, 'erlang', 'term_to_binary', [sample], 3000);
    expect(back).toBeInstanceOf(Uint8Array);
    const echoed = await rpcCall(c, 'erlang', 'binary_to_term', [back as Uint8Array], 3000);
    expect(termEquals(echoed, sample)).toBe(true);
    // our encoding is =:= to Erlang's decoding of it
    const same = await rpcCall(
      c,
      'erlang',
      '=:=',
      [sample, await rpcCall(c, 'erlang', 'binary_to_term', [encodeTerm(sample)], 3000)],
      3000,
    );
    expect(same).toEqual(atom('true'));
    // their own pids, refs, ports and funs decode (funs and ports opaque)
    const theirs = await rpcCall(
      c,
      'erlang',
      'list_to_tuple',
      [[await rpcCall(c, 'erlang', 'whereis', [atom('rex')], 3000), await rpcCall(c, 'erlang', 'make_ref', [], 3000)]],
      3000,
    );
    expect((theirs as Tuple).elements[0]).toBeInstanceOf(Pid);
    expect((theirs as Tuple).elements[1]).toBeInstanceOf(Reference);
    const stream = await rpcCall(
      c,
      'Elixir.ExESDBGater.API',
      'stream_forward',
      [atom('reg_gh'), Buffer.from('none'), 0, 1],
      3000,
    );
    expect(((stream as Tuple).elements[0] as Atom).name).toBe('ok');
    const map = (stream as Tuple).elements[1] as TermMap;
    expect(((map.get(atom('funs')) as Term[])[0] as OpaqueTerm).kind).toBe('fun');
    const port = await rpcCall(c, 'erlang', 'hd', [await rpcCall(c, 'erlang', 'ports', [], 3000)], 3000);
    expect((port as OpaqueTerm).kind).toBe('port');
  });

  it('rpc - a large term (8 MiB binary) crosses both ways', async () => {
    const c = await link();
    const big = Buffer.alloc(8 * 1024 * 1024, 7);
    expect(await rpcCall(c, 'erlang', 'byte_size', [big], 10_000)).toBe(big.length);
    const back = await rpcCall(c, 'binary', 'copy', [Buffer.from([1, 2]), 4 * 1024 * 1024], 10_000);
    expect((back as Uint8Array).length).toBe(8 * 1024 * 1024);
  });

  it('$gen_call - to a gateway worker pid, with a monitor', async () => {
    const c = await link();
    const pids = (await rpcCall(c, 'Elixir.ExESDBGater.API', 'gateway_worker_pids', [], 3000)) as Term[];
    const local = pids.find((p) => p instanceof Pid && p.node === c.peer) as Pid;
    expect(local).toBeInstanceOf(Pid);
    const reply = await genCall(c, local, tuple(atom('get_version'), atom('reg_gh'), Buffer.from('nope')), 3000);
    expect(termEquals(reply, tuple(atom('ok'), -1))).toBe(true);
  });

  it('ticks - the link stays up over an idle period of several net tick times (net_ticktime 4 s)', async () => {
    const c = await link(cluster.nodes[1]!.name, { tickIntervalMs: 1000 });
    await new Promise((r) => setTimeout(r, 10_000));
    expect(c.closed).toBe(false);
    expect(c.stats.ticksIn).toBeGreaterThan(0);
    expect(await rpcCall(c, 'erlang', 'abs', [-1], 3000)).toBe(1);
  }, 20_000);
});
