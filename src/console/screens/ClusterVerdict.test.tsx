import '../../../test/helpers/pinInkEnv.js';
import { render } from 'ink-testing-library';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkCluster, type ClusterStatus, type MemberView } from '../../core/index.js';
import { ClusterVerdict } from './ClusterStatusScreen.js';

const node = (name: string, over: Partial<MemberView> = {}): MemberView => ({
  name,
  role: 'store',
  state: 'alive',
  heartbeatAgeMs: 100,
  address: '127.0.0.1:7001',
  stores: ['reg_gh'],
  workers: 1,
  connected: true,
  ...over,
});

const shown = (status: ClusterStatus, minNodes: { warn?: number; crit?: number }) => {
  const inst = render(<ClusterVerdict result={checkCluster('reg_gh', status, { minNodes })} />);
  const f = stripVTControlCharacters(inst.lastFrame() ?? '');
  inst.unmount();
  return f;
};

describe('option 14 verdict (check cluster)', () => {
  it('a node down and a bad packet: WARNING with each reason', () => {
    const f = shown(
      {
        nodes: [node('a@h'), node('b@h', { state: 'down', connected: false })],
        foreignNodes: [],
        badPackets: { '127.0.0.1:45892': 3 },
        unauthorized: [],
      },
      { warn: 2, crit: 1 },
    );
    expect(f).toContain('check cluster: WARNING');
    expect(f).toContain('• WARNING: 1 node serving reg_gh linked, expected at least 2');
    expect(f).toContain('• WARNING: not linked: b@h (down, no connection)');
    expect(f).toContain('• WARNING: 3 bad gossip packets from 127.0.0.1:45892 (wrong secret?)');
  });

  it('no node serving the store linked: CRITICAL first', () => {
    const f = shown(
      { nodes: [node('a@h', { state: 'suspect' })], foreignNodes: [], badPackets: {}, unauthorized: [] },
      { crit: 1 },
    );
    const lines = f.split('\n');
    expect(lines[0]).toContain('🔴 check cluster: CRITICAL');
    expect(lines[1]).toContain('• CRITICAL: 0 nodes serving reg_gh linked, expected at least 1');
  });
});
