import { describe, expect, it } from 'vitest';
import { randomGossipPort, spawnNode } from '../helpers/cluster.js';

describe('ex-esdb-console node life-cycle', () => {
  it('logs node and worker life-cycle with the reference themes and stops cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const node = await spawnNode({ cookie: 'c_life', secret: 's_life', gossipPort: randomGossipPort(), poolSize: 2 });
      expect(node.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(await node.kill(signal)).toBe(0);
      const out = node.output();
      expect(out).toMatch(/\[GatewayWorker\] \[\{gateway_worker, reg_gh, .+\}\] is UP, joining the cluster\./);
      expect(out).toMatch(/GatewaySystem for reg_gh is UP with 2 workers/);
      expect(out).toMatch(/is TERMINATED with reason shutdown, leaving the cluster\./);
      expect(out).toContain('"event":"node_stopped"');
      expect(out).not.toMatch(/c_life|s_life/);
    }
  });
});
