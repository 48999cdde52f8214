import '../helpers/nodeConsoleTiming.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { generateGreenhouseEvents } from '../../src/domain/greenhouse/index.js';
import { KEY, READY, renderConsole, type ConsoleHarness } from '../helpers/renderWithProviders.js';

// A forced collection makes heapUsed mean "what is retained". The flag can be set at run time; the function
// then exists in any new context.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const retainedHeap = async (): Promise<number> => {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  return process.memoryUsage().heapUsed;
};

describe('a live $all monitor under a flood of events', () => {
  let c: ConsoleHarness | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await c?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // The store is a SQLite file so that the heap holds only what the console keeps: a live view's memory must be
  // bounded by its ring buffer, whatever the number of events that went through it.
  it('keeps its memory bounded over 200,000 events (heap growth after warm-up stays small)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-memory-'));
    c = await renderConsole({ storage: `sqlite:${join(dir, 'store.db')}` });
    const { services, gater } = c;
    await services.createObserver('all_obs', 'by_stream', '$all');
    services.startProducers(3, { batchSize: 1, periodMs: 1 });
    await c.waitFor(READY);
    await c.type(['5', KEY.enter, 'all_obs', KEY.enter]); // one burst: the router holds it for each screen
    await c.waitFor('👁️  Monitoring Observer: all_obs');

    let appended = 0;
    let batch = 0;
    // Batches of 100 on 10 streams; each append yields so Ink draws frames while events pour in. Every batch has
    // its own seed: event ids are unique per store, so a repeated seed would be deduplicated, not appended.
    const flood = async (n: number) => {
      for (let i = 0; i < n / 100; i++, batch++) {
        const stream = `flood${batch % 10}`;
        await gater.api.appendEvents(gater.store, stream, generateGreenhouseEvents(0, 100, { seed: batch }));
        appended += 100;
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    };
    const seenAll = async () => {
      const observer = services.observers.get('all_obs')!;
      const deadline = Date.now() + 20_000;
      while (observer.seen < appended + producedSoFar() && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
    };
    const producedSoFar = () => services.producers.list().reduce((a, p) => a + p.produced, 0);

    await flood(20_000); // warm-up: JIT, buffers full, caches
    await seenAll();
    // Scrolled back, the view holds the lines being read while the flood goes on below them: that too is bounded.
    await c.press(KEY.up);
    await c.waitFor('⇞ SCROLLED BACK');
    const before = await retainedHeap();
    await flood(180_000);
    await services.producers.stopAll();
    await seenAll();
    await c.waitFor((f) => /total \d{6}/.test(f) && /SCROLLED BACK \(\+\d{6} new\)/.test(f));
    const after = await retainedHeap();

    const observer = services.observers.get('all_obs')!;
    expect(observer.seen).toBeGreaterThanOrEqual(200_000);
    expect(services.observerFeed('all_obs')!.lines().length).toBe(500);
    const grewMb = (after - before) / 1e6;
    // 500 lines per feed (observer + activity) are well under 1 MB; allow slack for JIT code and SQLite's cache.
    expect(grewMb, `heap grew ${grewMb.toFixed(1)} MB over 180,000 events`).toBeLessThan(15);
  }, 120_000);
});
