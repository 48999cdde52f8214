import { describe, expect, it } from 'vitest';
import { collectStatus } from '../../core/index.js';
import { startGater } from '../../gateway/index.js';
import { renderStatus } from './status.js';

describe('status: per-node call latency from the gateway’s own histograms', () => {
  it('counts the calls routed to each node and reports their p50/p99', async () => {
    const gater = await startGater();
    try {
      const before = await collectStatus(gater);
      // the status itself asked the node for its streams: one call so far
      expect(before.nodes[0]!.calls.count).toBe(1);
      for (let i = 0; i < 5; i++) await gater.api.appendEvents('reg_gh', 's', [{ eventType: 'a:v1', data: {} }]);
      await gater.api.getVersion('reg_gh', 's');
      await expect(gater.api.appendEvents('reg_gh', 's', [{ eventType: 'a:v1', data: {} }], 99)).rejects.toThrow();
      const s = await collectStatus(gater);
      const { calls } = s.nodes[0]!;
      expect(calls).toMatchObject({ count: 1 + 5 + 1 + 1 + 1, errors: 1 });
      expect(calls.p50Ms).toBeGreaterThan(0);
      expect(calls.p99Ms).toBeGreaterThanOrEqual(calls.p50Ms);
      expect(renderStatus(s)).toMatch(/workers=1 calls=9 \(1 failed\) p50=\d+\.\d{3}ms p99=\d+\.\d{3}ms/);
    } finally {
      await gater.stop();
    }
  });
});
