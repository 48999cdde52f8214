import { describe, expect, it, vi } from 'vitest';
import { AppendQueue } from './appendQueue.js';

/** A queue whose groups are held until released, recording what each group held. */
function heldQueue(
  maxInFlight: number,
  maxItems?: number,
  maxWeight?: number,
  stall?: { ms: number; now: () => number },
) {
  const groups: string[][] = [];
  const release: ((fail?: Error) => void)[] = [];
  const queue = new AppendQueue<string, string>(
    (items) => {
      groups.push(items);
      return new Promise((resolve, reject) =>
        release.push((fail) => (fail ? reject(fail) : resolve(items.map((i) => `done ${i}`)))),
      );
    },
    { maxInFlight, maxItems, maxWeight, stallMs: stall?.ms, now: stall?.now },
  );
  return { queue, groups, release };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('AppendQueue: appends queued while a statement runs go together', () => {
  it('one writer goes at once, alone, without waiting for the event loop', async () => {
    const { queue, groups, release } = heldQueue(2);
    const a = queue.submit('a');
    expect(groups).toEqual([['a']]); // started synchronously
    release[0]!();
    await expect(a).resolves.toBe('done a');
    // ...and its next append too: nothing else was waiting, so there is nobody to gather
    void queue.submit('b');
    expect(groups).toEqual([['a'], ['b']]);
  });

  it('appends arriving while the groups in flight run wait, then go as one group in order', async () => {
    const { queue, groups, release } = heldQueue(1);
    const results = ['a', 'b', 'c', 'd'].map((x) => queue.submit(x));
    await turn();
    expect(groups).toEqual([['a']]);
    expect(queue.queued).toBe(3);
    release[0]!();
    await turn();
    await turn();
    expect(groups).toEqual([['a'], ['b', 'c', 'd']]);
    release[1]!();
    await expect(Promise.all(results)).resolves.toEqual(['done a', 'done b', 'done c', 'done d']);
  });

  it('a second group starts while the first runs when two may be in flight', async () => {
    const { queue, groups } = heldQueue(2);
    void queue.submit('a');
    void queue.submit('b');
    void queue.submit('c');
    await turn();
    expect(groups).toEqual([['a'], ['b', 'c']]);
    void queue.submit('d');
    await turn();
    expect(groups).toHaveLength(2); // both slots taken: d waits
    expect(queue.queued).toBe(1);
  });

  it('the writers a group answered append again together, not the first of them alone', async () => {
    const { queue, groups, release } = heldQueue(1);
    // Three writers in a closed loop: each appends again as soon as its append is answered.
    const writer = async (name: string) => {
      for (let i = 0; i < 3; i++) await queue.submit(`${name}${i}`);
    };
    let finished = false;
    const all = Promise.all(['x', 'y', 'z'].map(writer)).then(() => (finished = true));
    for (let released = 0; !finished; await turn()) while (released < release.length) release[released++]!();
    await all;
    // x0 went alone (nothing was waiting); from then on every group holds what was answered before it started.
    expect(groups).toEqual([['x0'], ['y0', 'z0', 'x1'], ['y1', 'z1', 'x2'], ['y2', 'z2']]);
  });

  it('groups are bounded by item count and by summed weight; one heavy item still goes alone', async () => {
    const { queue, groups, release } = heldQueue(1, 3, 10);
    void queue.submit('first');
    for (const [name, weight] of [
      ['a', 1],
      ['b', 1],
      ['c', 1],
      ['d', 1],
      ['heavy', 50],
      ['e', 4],
      ['f', 4],
      ['g', 4],
    ] as const)
      void queue.submit(name, weight);
    for (let g = 0; g < 5; g++) {
      await turn();
      release[g]!();
      await turn();
    }
    expect(groups).toEqual([['first'], ['a', 'b', 'c'], ['d'], ['heavy'], ['e', 'f']]);
  });

  it('a failed group fails each of its items and the queue goes on', async () => {
    const { queue, release } = heldQueue(1);
    const a = queue.submit('a');
    const b = queue.submit('b');
    release[0]!(new Error('server gone'));
    await expect(a).rejects.toThrow('server gone');
    await turn();
    release[1]!();
    await expect(b).resolves.toBe('done b');
  });

  it('an item answered with a rejected promise fails alone; a run that throws at once fails its group', async () => {
    const queue = new AppendQueue<string, string>(async (items) =>
      items.map((i) => (i === 'bad' ? Promise.reject(new Error(`refused ${i}`)) : `done ${i}`)),
    );
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((x) => queue.submit(x)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'done a',
      'refused bad',
      'done c',
    ]);
    const throwing = new AppendQueue<string, string>(() => {
      throw new Error('no connection');
    });
    await expect(throwing.submit('a')).rejects.toThrow('no connection');
    const short = new AppendQueue<string, string>(async () => []);
    await expect(short.submit('a')).rejects.toThrow('append group of 1 answered 0');
  });

  it('a group that runs past stallMs stops holding its turn: the appends behind it go, the stalled ones still finish', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let clock = 0;
      const { queue, groups, release } = heldQueue(1, undefined, undefined, { ms: 50, now: () => clock });
      const stuck = queue.submit('stuck'); // waits for a lock held elsewhere
      const behind = queue.submit('behind');
      await turn();
      clock += 49;
      await vi.advanceTimersByTimeAsync(49);
      await turn();
      expect(groups).toEqual([['stuck']]); // not yet stalled: behind waits its turn
      clock += 1;
      await vi.advanceTimersByTimeAsync(1);
      await turn();
      expect(groups).toEqual([['stuck'], ['behind']]);
      release[1]!();
      await expect(behind).resolves.toBe('done behind');
      // one slot still: the stalled group no longer counts, the new one does
      void queue.submit('next');
      await turn();
      expect(groups).toHaveLength(3);
      void queue.submit('waits');
      await turn();
      expect(groups).toHaveLength(3);
      release[0]!(); // the stalled group ends: its answer still reaches its caller, and no slot is freed twice
      await expect(stuck).resolves.toBe('done stuck');
      await turn();
      expect(groups).toHaveLength(3);
      release[2]!();
      await turn();
      await turn();
      expect(groups.map((g) => g.join())).toEqual(['stuck', 'behind', 'next', 'waits']);
    } finally {
      vi.useRealTimers();
    }
  });
});
