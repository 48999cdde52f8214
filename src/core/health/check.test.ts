import { describe, expect, it } from 'vitest';
import type { ClusterStatus, MemberView } from '../cluster/clusterMonitor.js';
import { checkCluster, checkLine } from './check.js';
import { parseThreshold } from './thresholds.js';

const member = (name: string, over: Partial<MemberView> = {}): MemberView => ({
  name,
  role: 'node',
  state: 'alive',
  heartbeatAgeMs: null,
  address: `${name}:1`,
  stores: ['reg_gh'],
  workers: 1,
  connected: true,
  ...over,
});
const status = (nodes: MemberView[], over: Partial<ClusterStatus> = {}): ClusterStatus => ({
  nodes,
  foreignNodes: [],
  badPackets: {},
  unauthorized: [],
  ...over,
});

describe('health checks', () => {
  it('parseThreshold - CRIT, WARN,CRIT, WARN-only and durations; rejects the rest', () => {
    expect(parseThreshold('5', '--max-lag')).toEqual({ crit: 5 });
    expect(parseThreshold('5,10', '--max-lag')).toEqual({ warn: 5, crit: 10 });
    expect(parseThreshold('5,', '--max-lag')).toEqual({ warn: 5, crit: undefined });
    expect(parseThreshold('500ms,2s', '--max-latency', 'ms')).toEqual({ warn: 500, crit: 2000 });
    expect(parseThreshold('1m', '--max-unacked-age', 'ms')).toEqual({ crit: 60_000 });
    for (const bad of ['', ',', 'x', '1,2,3', '-1', '1.5'])
      expect(() => parseThreshold(bad, '--max-lag')).toThrow(/--max-lag/);
  });

  it('checkCluster - the worst reason wins; a down node warns; fewer nodes than the minimum is critical', () => {
    const ok = checkCluster('reg_gh', status([member('a'), member('b')]), { minNodes: { crit: 2 } });
    expect(ok).toMatchObject({ status: 'OK', reasons: [], metrics: { nodes: 2 } });
    const down = status([member('a'), member('b', { state: 'down', connected: false })]);
    expect(checkCluster('reg_gh', down, { minNodes: { crit: 1 } }).status).toBe('WARNING');
    const crit = checkCluster('reg_gh', down, { minNodes: { warn: 3, crit: 2 } });
    expect(crit.status).toBe('CRITICAL');
    expect(crit.reasons.map((r) => r.status)).toEqual(['CRITICAL', 'WARNING']);
    const warnOnly = checkCluster('reg_gh', status([member('a')]), { minNodes: { warn: 2, crit: 1 } });
    expect(warnOnly.reasons).toEqual([
      { status: 'WARNING', message: '1 node serving reg_gh linked, expected at least 2' },
    ]);
  });

  it('checkCluster - bad packets, refused handshakes and a split store warn; nodes of other stores do not count', () => {
    const r = checkCluster(
      'reg_gh',
      status([member('a'), member('x', { stores: ['other'] })], {
        badPackets: { '127.0.0.1': 3 },
        unauthorized: [{ node: 'n@h', address: '127.0.0.1:9', message: 'bad mac' }],
      }),
      { minNodes: { crit: 1 } },
      { storageGroups: 2 },
    );
    expect(r.status).toBe('WARNING');
    expect(r.metrics).toMatchObject({ nodes: 1, known: 1, badPackets: 3, unauthorized: 1, storageGroups: 2 });
    const messages = r.reasons.map((x) => x.message);
    expect(messages).toHaveLength(3);
    expect(messages).toContain('store reg_gh is split over 2 storage groups');
    expect(messages).toContain('3 bad gossip packets from 127.0.0.1 (wrong secret?)');
    expect(messages).toContain('refused handshakes (wrong cookie?): n@h 127.0.0.1:9');
    expect(checkLine(r)).toMatch(/^CLUSTER WARNING - .* \| nodes=1 known=1 /);
  });
});
