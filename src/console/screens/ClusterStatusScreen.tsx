import { Box, Text } from 'ink';
import {
  beamText,
  callsText,
  checkGaterCluster,
  collectStatus,
  countersText,
  foreignText,
  trustText,
  type CheckResult,
  type CheckStatus,
  type StatusReport,
} from '../../core/index.js';
import { Heading, ViewFrame } from '../components/Notice.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { cell } from '../format.js';
import { usePolling } from '../hooks/usePolling.js';
import { theme } from '../theme.js';
import type { ScreenProps } from './types.js';

const STATE_ICON: Record<string, string> = { alive: '🟢', suspect: '🟡', down: '🔴' };

/**
 * Option 14 — Get Cluster Status: nodes with state, heartbeat age and this gateway's call latency to each (p50/p99
 * from its own HDR histograms), workers per store and node, calls routed.
 */
export function ClusterStatus({ done, quit }: ScreenProps) {
  const services = useServices();
  // The verdict is `check cluster`'s (same function, same defaults), taken with the status it sits above.
  const status = usePolling(async () => {
    const report = await collectStatus(services.gater);
    return { report, verdict: checkGaterCluster(services.gater) };
  }, 1000);
  return (
    <ViewFrame
      onBack={() => done()}
      onQuit={quit}
      keymap="status"
      hints="refreshes every second · ? keys · Esc back · q quit"
    >
      <Heading color={theme.section.data}>🔗 Cluster Status</Heading>
      {status.state === 'loading' && <Text color={theme.status.muted}>loading…</Text>}
      {status.state === 'error' && (
        <Text color={theme.status.error}>❌ Failed to get cluster status: {status.message}</Text>
      )}
      {status.state === 'ready' && (
        <>
          <ClusterVerdict result={status.value.verdict} />
          <StatusView s={status.value.report} />
        </>
      )}
    </ViewFrame>
  );
}

const VERDICT_LOOK: Record<CheckStatus, { icon: string; color: string }> = {
  OK: { icon: '✅', color: theme.status.success },
  WARNING: { icon: '⚠️ ', color: theme.status.warning },
  CRITICAL: { icon: '🔴', color: theme.status.error },
  UNKNOWN: { icon: '❔', color: theme.status.muted },
};

/** The `check cluster` verdict: OK with what was measured, or the status with each reason, worst first. */
export function ClusterVerdict({ result }: { result: CheckResult }) {
  const look = VERDICT_LOOK[result.status];
  return (
    <Box flexDirection="column">
      <Text color={look.color} bold wrap="truncate-end">
        {look.icon} check cluster: {result.status}
        {result.status === 'OK' ? ` — ${result.summary}` : ''}
      </Text>
      {result.reasons.map((r, i) => (
        <Text key={i} color={VERDICT_LOOK[r.status].color} wrap="truncate-end">
          {'   • '}
          {r.status}: {r.message}
        </Text>
      ))}
    </Box>
  );
}

function StatusView({ s }: { s: StatusReport }) {
  return (
    <Box flexDirection="column">
      <Text>
        Mode: {s.mode} Store: {s.store}
        {s.storage ? `   Storage: ${s.storage}` : ''} PubSub: {s.pubSub} Streams: {s.streams ?? '?'}
      </Text>
      <Text color={theme.status.success}>
        Active gateway workers for {s.store}: {s.workers}
      </Text>
      <Text color={theme.ui.header}>Nodes ({s.nodes.length}):</Text>
      {s.nodes.map((n) => (
        <Box key={n.name} flexDirection="column">
          <Text wrap="truncate-end">
            {'  '}
            {STATE_ICON[n.state] ?? '⚪'} {cell(n.name, 28)} {cell(n.state, 8)}{' '}
            {cell(n.heartbeatAgeMs === null ? 'heartbeat -' : `heartbeat ${n.heartbeatAgeMs} ms ago`, 24)}{' '}
            {cell(trustText(n), 26)} {cell(n.address, 22)} stores=[{n.stores.join(', ')}] workers={n.workers}
            {callsText(n.calls)}
            {beamText(n)}
          </Text>
          {countersText(n.counters) ? (
            <Text color={theme.status.warning} wrap="truncate-end">
              {'     '}
              {countersText(n.counters).trim()}
            </Text>
          ) : null}
        </Box>
      ))}
      {s.stores
        .filter((st) => st.groups.length > 0)
        .map((st) => (
          <Box key={st.store} flexDirection="column">
            <Text color={st.split ? theme.status.warning : theme.ui.header}>
              Storage of {st.store}
              {st.split ? ` — ⚠️  split over ${st.groups.length} storages: reads would differ` : ''}:
            </Text>
            {st.groups.map((g) => (
              <Text key={`${g.kind}:${g.id}`} wrap="truncate-end">
                {'  '}
                {g.active ? '▶ ' : '• '}
                {cell(g.kind, 9)} {cell(g.id, 24)} {g.active ? 'active  ' : 'standby '} nodes=[{g.nodes.join(', ')}]
              </Text>
            ))}
          </Box>
        ))}
      <Text color={theme.ui.header}>Workers (store · node · worker · calls routed):</Text>
      {s.workersByNode.length === 0 && <Text color={theme.status.warning}>{'⚠️  '}No gateway workers</Text>}
      {s.workersByNode.map((w) => (
        <Text key={w.id} wrap="truncate-end">
          {'  • '}
          {cell(w.store, 12)} {cell(w.node, 28)} {cell(w.id, 36)} {w.routed}
        </Text>
      ))}
      {s.foreignNodes.length > 0 && <Text color={theme.status.warning}>{foreignText(s.foreignNodes)}</Text>}
      {Object.keys(s.badPackets).length > 0 && (
        <Text color={theme.status.error}>
          Bad packets (wrong secret?):{' '}
          {Object.entries(s.badPackets)
            .map(([a, n]) => `${a}=${n}`)
            .join(', ')}
        </Text>
      )}
      {s.unauthorized.length > 0 && (
        <Text color={theme.status.error}>
          Refused (wrong cookie?): {s.unauthorized.map((u) => `${u.node} ${u.address}`).join(', ')}
        </Text>
      )}
    </Box>
  );
}
