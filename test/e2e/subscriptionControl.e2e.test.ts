import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE, cli, ensureBuilt, spawnCli, startNodeProcess, uniq, type NodeProcess } from './helpers.js';

describe('subscriptions parked | replay-parked | skip-parked | reset | delete (built binary, node on loopback)', () => {
  let node: NodeProcess;
  let at: string[];
  beforeAll(async () => {
    await ensureBuilt();
    node = await startNodeProcess();
    at = ['--connect', node.address, '--cookie', COOKIE];
  });
  afterAll(async () => {
    await node.stop();
  });

  it('lists parked events with retries and reason, replays one to the attached subscriber, skips, resets, deletes', async () => {
    const stream = `orders-${uniq()}`;
    const name = `stuck-${uniq()}`;
    await cli([...at, 'append', stream, '--generate', '5', '--seed', 'p']);
    // Never acks; one redelivery after 100 ms, then each event is parked.
    const parker = await cli([
      ...at,
      'subscribe',
      '--name',
      name,
      '--stream',
      stream,
      '--max-retries',
      '1',
      '--ack-timeout',
      '100',
      '--duration',
      '1500ms',
    ]);
    expect(parker.code).toBe(0);
    const parked = await cli([...at, 'subscriptions', 'parked', '--name', name, '--json']);
    expect(parked.code).toBe(0);
    expect(parked.json.map((p) => p.eventNumber)).toEqual([0, 1, 2, 3, 4]);
    expect(parked.json[0]).toMatchObject({
      subscription: name,
      eventStreamId: stream,
      reason: 'max_retries',
      retries: 1,
      parkedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const human = await cli([...at, 'subscriptions', 'parked', '--name', name]);
    expect(human.stdout).toMatch(/^Position +Stream +Version +Retries +Reason +Parked at +Event id\n/);
    expect(human.stderr).toContain('(5 parked events)');

    // Nobody attached: replay has no one to deliver to, and says so (exit 1); nothing leaves the parked list.
    const noOne = await cli([...at, 'subscriptions', 'replay-parked', '--name', name, '--json']);
    expect(noOne.code).toBe(1);
    expect(noOne.json[0]).toMatchObject({ error: { code: 'not_found' } });

    const positions = parked.json.map((p) => p.position as number);
    const subscriber = spawnCli([...at, 'subscribe', '--name', name, '--stream', stream, '--ack', '--json']);
    try {
      // The subscriber's checkpoint is past the parked events, so it receives nothing until the replay.
      await new Promise((r) => setTimeout(r, 1000));
      expect(subscriber.stdout()).toBe('');
      const replay = await cli([
        ...at,
        'subscriptions',
        'replay-parked',
        '--name',
        name,
        '--position',
        String(positions[1]),
        '--json',
      ]);
      expect(replay.json).toEqual([{ store: 'reg_gh', name, replayed: 1 }]);
      const [line] = await subscriber.waitForLines(1);
      expect(JSON.parse(line!)).toMatchObject({ eventStreamId: stream, eventNumber: 1 });

      const refused = await cli([
        ...at,
        'subscriptions',
        'skip-parked',
        '--name',
        name,
        '--position',
        String(positions[0]),
      ]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/confirm with --yes/);
      const skip = await cli([
        ...at,
        'subscriptions',
        'skip-parked',
        '--name',
        name,
        '--position',
        `${positions[0]},${positions[2]}`,
        '--yes',
        '--json',
      ]);
      expect(skip.json).toEqual([{ store: 'reg_gh', name, skipped: 2 }]);
      const left = await cli([...at, 'subscriptions', 'parked', '--name', name, '--json']);
      expect(left.json.map((p) => p.eventNumber)).toEqual([3, 4]);

      // Reset to version 0: the attached subscriber gets the whole stream again.
      const reset = await cli([...at, 'subscriptions', 'reset', '--name', name, '--to', '0', '--yes', '--json']);
      expect(reset.json).toEqual([{ store: 'reg_gh', name, to: 0, reset: 1 }]);
      const lines = await subscriber.waitForLines(6);
      expect(lines.slice(1).map((l) => (JSON.parse(l) as { eventNumber: number }).eventNumber)).toEqual([
        0, 1, 2, 3, 4,
      ]);

      const del = await cli([...at, 'subscriptions', 'delete', '--name', name, '--yes', '--json']);
      expect(del.json).toEqual([{ store: 'reg_gh', name, deleted: 1 }]);
      const [list, gone] = await Promise.all([
        cli([...at, 'subscriptions', '--name', name, '--json']),
        cli([...at, 'subscriptions', 'parked', '--name', name, '--json']),
      ]);
      expect(list.json).toEqual([{ store: 'reg_gh', subscriptions: [] }]);
      expect(gone.code).toBe(1);
      expect(gone.json[0]).toMatchObject({ error: { code: 'not_found' } });
    } finally {
      subscriber.child.kill('SIGINT');
      await subscriber.exited;
    }
  }, 90_000);

  it('reset without --yes and without a terminal changes nothing (exit 2); --name is required', async () => {
    const stream = `r-${uniq()}`;
    const name = `r-${uniq()}`;
    await cli([...at, 'append', stream, '--generate', '3']);
    await cli([...at, 'subscribe', '--name', name, '--stream', stream, '--ack', '-n', '3']);
    const refused = await cli([...at, 'subscriptions', 'reset', '--name', name, '--to', '0', '--json']);
    expect(refused.code).toBe(2);
    expect(refused.json[0]).toMatchObject({ error: { code: 'usage_error', message: expect.stringMatching(/--yes/) } });
    const after = await cli([...at, 'subscriptions', '--name', name, '--json']);
    expect((after.json[0]!.subscriptions as { checkpoint: number }[])[0]).toMatchObject({ checkpoint: 3 });
    const noName = await cli([...at, 'subscriptions', 'delete', '--yes']);
    expect(noName.code).toBe(2);
  });
});
