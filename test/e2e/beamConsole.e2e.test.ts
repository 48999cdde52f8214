/**
 * The console's 15 options in a real terminal (tmux) against a fixture ExESDB cluster of two real OTP nodes
 * (loopback, private EPMD): the built binary runs with `--beam`, the test types as a person does (one key at a
 * time, each echoed before the next) and reads what every screen shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeFixtureBuilds, startFixtureCluster, type FixtureCluster } from '../helpers/beamCluster.js';
import { connectDist, type DistConnection } from '../../src/core/beam/distConnection.js';
import { rpcCall } from '../../src/core/beam/rpc.js';
import { TmuxConsole, alive, childrenOf, requireConsoleTerminal } from '../helpers/tmuxConsole.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (s: string, prefix: string) => s.split('\n').filter((l) => l.startsWith(prefix));

let cluster: FixtureCluster;
// One control link per fixture node, for its test hook (not part of the console under test).
const controls: DistConnection[] = [];
/** The fixture's test hook: every gater API call on both nodes waits `ms` first (a distant or busy cluster). */
const setDelay = (ms: number) => Promise.all(controls.map((c) => rpcCall(c, 'fixture_node', 'set_delay', [ms], 5000)));
// Wide enough for a BEAM node's whole status line (OTP release, PubSub membership, rpc latency).
const term = new TmuxConsole(`exesdb-beam-tmux-${process.pid}`, { cols: 260, rows: 50 });
let shellPid = 0;
let nodePid = 0;

beforeAll(async () => {
  requireConsoleTerminal();
  cluster = await startFixtureCluster(2, { prefix: `tmx${process.pid}` });
  const beam = cluster.nodes.map((n) => n.name).join(',');
  // The shell stays after the console exits so the test can read the exit code on the screen.
  shellPid = term.start(
    `ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=${cluster.epmd.port} node bin/ex-esdb-console.js --beam ${beam} ` +
      `--cookie ${cluster.cookie}; echo "EXIT CODE $?"; sleep 120`,
  );
  await term.waitFor('Select an option (1-15)', 30_000);
  nodePid = childrenOf(shellPid)[0] ?? 0;
  for (const [i, n] of cluster.nodes.entries())
    controls.push(
      await connectDist({
        node: n.name,
        name: `tmux_control_${process.pid}_${i}@localhost`,
        cookie: cluster.cookie,
        epmdPort: cluster.epmd.port,
      }),
    );
}, 90_000);

afterAll(async () => {
  for (const c of controls) c.close();
  term.kill();
  for (let i = 0; i < 50 && [shellPid, nodePid].some((p) => p && alive(p)); i++) await sleep(100);
  await cluster?.stop();
  removeFixtureBuilds();
});

describe('console in a real terminal (tmux) against a BEAM cluster', () => {
  it('all 15 options, typed key by key, against two fixture ExESDB nodes', async () => {
    expect(nodePid).toBeGreaterThan(0);
    expect(term.screen()).toMatch(/Store: reg_gh\s+Mode: beam\s+Nodes: 2/);
    // ExESDB has no store-wide position: the header does not claim an append rate it cannot measure
    await term.waitFor(/append - ev\/s · delivery p99/);
    const stream = `acct-${process.pid}`;

    // 13 — append one event by hand: ExESDB answers with the new version, the event reads back.
    await term.option(13);
    await term.answer('Enter stream name (default greenhouse1):', stream);
    await term.answer('Number of events to append (default 5):', '1');
    await term.answer('Event type (Enter for generated greenhouse events):', 'order_placed');
    await term.answer('Payload as JSON or %{...} map (default {}):', '{"item":"book","qty":2}');
    let s = await term.waitFor(`✅ Appended 1 event to '${stream}' (stream version now 0)`);
    expect(s).toContain(`• ${stream}:order_placed (v0) => {"item":"book","qty":2}`);

    // 12 — view the stream (get_events), on a cluster that takes 1.5 s per API call: the stream's name, typed at
    // a person's pace while the list of streams loads, waits for the prompt instead of being dropped.
    await setDelay(1500);
    await term.type('Select an option (1-15):', '12');
    await term.key('Enter');
    await term.waitFor('loading streams');
    await term.typeBlind(stream, 60, 'Enter');
    const picked = await term.waitFor('Number of events per page (default 10):');
    expect(picked).toContain(`Enter stream name or number (default ${stream}): ${stream}`);
    await setDelay(0);
    await term.key('Enter');
    await term.waitFor(`📄 Events from '${stream}':`);
    await term.waitFor(/v0\s+order_placed\s+\d\d:\d\d:\d\d \{"item":"book","qty":2\}/);
    await term.key('Escape');

    // 1, 2, 3 — observers by stream, by event type and by payload.
    await term.option(1);
    await term.answer('Enter stream name or $all', stream);
    await term.answer('Enter observer name:', 'o_stream');
    await term.waitFor(`✅ Observer 'o_stream' created for stream '${stream}'`);
    await term.option(2);
    await term.answer('Enter event type (1-14 or a name):', 'order_placed');
    await term.answer('Enter observer name:', 'o_type');
    await term.waitFor("✅ Observer 'o_type' created for event type 'order_placed'");
    await term.option(3);
    await term.answer('Enter observer name:', 'o_pay');
    await term.answer('Pattern:', '%{item: "book"}');
    await term.waitFor(`✅ Observer 'o_pay' created for payload pattern {"item":"book"}`);

    // 13 again — a second event: each observer receives it from the cluster's PubSub broadcast.
    await term.option(13);
    await term.answer('Enter stream name (default greenhouse1):', stream);
    await term.answer('Number of events to append (default 5):', '1');
    await term.answer('Event type (Enter for generated greenhouse events):', 'order_placed');
    await term.answer('Payload as JSON or %{...} map (default {}):', '{"item":"book","qty":3}');
    await term.waitFor(`✅ Appended 1 event to '${stream}' (stream version now 1)`);

    // 4 — the observers' table: every one running and has seen that one event.
    await term.option(4);
    await term.waitFor(
      (t) =>
        /o_stream\s+by_stream\s+.*🟢 Running\s+1\s/.test(t) &&
        /o_type\s+by_event_type\s+"order_placed"\s+🟢 Running\s+1\s/.test(t) &&
        /o_pay\s+by_event_payload\s+\{"item":"book"\}\s+🟢 Running\s+1\s/.test(t),
    );
    await term.key('Escape');

    // 5 — monitor the payload observer: the broadcast event is on its feed.
    await term.option(5);
    await term.answer('Enter observer name to monitor:', 'o_pay');
    await term.waitFor('👁️  Monitoring Observer: o_pay');
    s = await term.waitFor(`SEEN ["${stream}:order_placed (v1) => {"item":"book","qty":3}"]`);
    expect(lines(s, 'SEEN [')).toHaveLength(1);
    await term.key('Escape');

    // 7 — three producers writing to ExESDB every 200 ms.
    await term.option(7);
    await term.waitFor('Number of producers (default 3):');
    await term.key('Enter');
    await term.waitFor('Batch size, events per append (default 1):');
    await term.key('Enter');
    await term.answer('Period between appends in ms (default 2000):', '200');
    await term.waitFor('✅ Started 3 producers');

    // 9 — the producers' table: three running, their appends counted.
    await term.option(9);
    await term.waitFor((t) => [1, 2, 3].every((i) => new RegExp(`greenhouse${i}\\s+running\\s+[1-9]`).test(t)));
    await term.key('Escape');

    // 8 — stop one producer.
    await term.option(8);
    await term.answer('Enter stream ID to stop producer:', 'greenhouse1');
    await term.waitFor("✅ Producer for 'greenhouse1' stopped");

    // 10 — a subscription on greenhouse2 from version 0: its feed shows the events, acked as shown.
    await term.option(10);
    await term.answer('Enter subscription name:', 'sub_gh2');
    await term.answer('Enter stream name or $all', 'greenhouse2');
    await term.waitFor('Start from version (default 0):');
    await term.key('Enter');
    await term.waitFor("✅ Subscription 'sub_gh2' created");
    s = await term.waitFor((t) => lines(t, 'RECEIVED ["sub_gh2" "greenhouse2:').length >= 2);
    expect(lines(s, 'RECEIVED [')[0]).toMatch(/^RECEIVED \["sub_gh2" "greenhouse2:[a-z_]+:v1 v\(0\) => \{.*\}"\]$/);
    await term.key('Escape');

    // 11 — the subscription as ExESDB lists it (get_subscriptions), with what this console received and acked.
    await term.option(11);
    await term.waitFor(/sub_gh2\s+"\$greenhouse2"\s+/);
    await term.key('Escape');

    // 14 — cluster status: both BEAM nodes alive, with their OTP release and PubSub membership.
    await term.option(14);
    s = await term.waitFor((t) =>
      cluster.nodes.every((n) => new RegExp(`${n.name}\\s+alive\\b.*OTP \\d+ pubsub=joined`).test(t)),
    );
    expect(s).toContain('Mode: beam');
    await term.key('Escape');

    // 6 — stop the stream observer.
    await term.option(6);
    await term.answer('Enter observer name to stop:', 'o_stream');
    await term.waitFor("✅ Observer 'o_stream' stopped");

    // 15 — exit: what is running is stopped, exit code 0, the process gone.
    await term.option(15);
    const end = await term.waitFor('EXIT CODE', 20_000);
    for (const g of ['greenhouse2', 'greenhouse3']) expect(end).toContain(`🛑 Stopped producer: ${g}`);
    for (const o of ['o_type', 'o_pay']) expect(end).toContain(`🛑 Stopped observer: ${o}`);
    expect(end).toContain('🛑 Stopped subscription: sub_gh2');
    expect(end).toContain('✅ Console shut down successfully!');
    expect(end).toContain('EXIT CODE 0');
    expect(alive(nodePid)).toBe(false);
  }, 90_000);
});
