import { Box, Text } from 'ink';
import { useVitals } from '../hooks/useVitals.js';
import { theme } from '../theme.js';
import type { VitalsSnapshot } from '../vitals.js';

/**
 * The header (EXESDB_SPEC §7.2's banner plus what a tester checks first), refreshed every second on the shared
 * clock: mode, store, linked/known nodes, streams, the store's append rate, this console's delivery p99 and
 * memory; a warning line when something needs attention.
 */
export function Banner() {
  const v = useVitals();
  return (
    <Box flexDirection="column">
      <Text color={theme.section.heading} bold>
        🚀 ExESDB Interactive Test Console
      </Text>
      <Vitals v={v} />
    </Box>
  );
}

function Vitals({ v }: { v: VitalsSnapshot }) {
  const nodesOk = v.nodes.linked === v.nodes.total && v.nodes.total > 0;
  const warnings = [
    v.split &&
      `store ${v.store} is split over ${v.split.groups} storages (${v.split.kinds.join(', ')}): reads would differ; see option 14`,
    v.error && `store not answering: ${v.error}`,
    v.memory.warning,
  ].filter(Boolean);
  return (
    <>
      <Text wrap="truncate-end">
        <Text color={theme.status.info}>Store: {v.store}</Text>
        <Text> Mode: {v.mode}</Text>
        <Text color={nodesOk ? undefined : theme.status.warning}>
          {'   '}Nodes: {v.nodes.linked}/{v.nodes.total} linked
        </Text>
        <Text color={theme.section.producers}> Streams: {v.streams ?? '?'}</Text>
      </Text>
      <Text wrap="truncate-end" color={theme.status.muted}>
        append {v.appendRate === undefined ? '-' : v.appendRate.toFixed(1)} ev/s · delivery p99{' '}
        {v.deliveryP99 === undefined ? '-' : `${v.deliveryP99.toFixed(1)} ms`} · {v.memory.text}
      </Text>
      {warnings.map((w) => (
        <Text key={w} color={theme.status.error} bold wrap="truncate-end">
          {'⚠️  '}
          {w}
        </Text>
      ))}
    </>
  );
}
