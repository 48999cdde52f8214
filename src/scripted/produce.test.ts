import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGater, type Gater } from '../gateway/index.js';
import { runProducers } from './produce.js';

describe('runProducers', () => {
  let gater: Gater;
  beforeEach(async () => {
    gater = await startGater();
  });
  afterEach(() => gater.stop());

  it('writes exactly --events in total, cutting the last batches, and reports per stream', async () => {
    const progress: number[] = [];
    const s = await runProducers(gater.api, 'reg_gh', {
      producers: 3,
      batch: 7,
      periodMs: 0,
      events: 25,
      onProgress: (p) => progress.push(p.events),
    });
    expect(s).toMatchObject({ events: 25, errors: 0, stoppedBy: 'events', producers: 3 });
    let total = 0;
    for (const [stream, info] of Object.entries(s.streams)) {
      expect(await gater.api.getVersion('reg_gh', stream)).toBe(info.version);
      total += info.version + 1;
    }
    expect(total).toBe(25);
    expect(progress.at(-1)).toBe(25);
  });

  it('stops on the duration or when asked', async () => {
    const timed = await runProducers(gater.api, 'reg_gh', {
      producers: 1,
      periodMs: 10,
      durationMs: 100,
      prefix: 'timed',
    });
    expect(timed.stoppedBy).toBe('duration');
    expect(timed.events).toBeGreaterThan(0);
    const stopped = await runProducers(gater.api, 'reg_gh', {
      producers: 1,
      periodMs: 10,
      prefix: 'stopped',
      stop: new Promise((r) => setTimeout(r, 50)),
    });
    expect(stopped.stoppedBy).toBe('signal');
  });
});
