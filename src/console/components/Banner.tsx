import { Box, Text } from 'ink';
import { useServices } from '../contexts/ConsoleContext.js';
import { useClusterMembers } from '../hooks/useClusterMembers.js';
import { usePolling } from '../hooks/usePolling.js';
import { theme } from '../theme.js';

/** The start banner (EXESDB_SPEC §7.2) plus what a tester checks first: mode, node count, streams. */
export function Banner() {
  const services = useServices();
  const { gater } = services;
  const cluster = useClusterMembers(gater.cluster);
  const streams = usePolling(() => gater.api.getStreams(gater.store), 2000);
  const alive = cluster.nodes.filter((n) => n.state === 'alive').length;
  const streamText = streams.state === 'ready' ? String(streams.value.length) : streams.state === 'error' ? '?' : '…';
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text color={theme.section.heading} bold>
        🚀 ExESDB Interactive Test Console
      </Text>
      <Text wrap="truncate-end">
        <Text color={theme.status.info}>Store: {gater.store}</Text>
        <Text> Mode: {gater.mode}</Text>
        <Text>
          {'   '}Nodes: {alive}
          {alive !== cluster.nodes.length ? `/${cluster.nodes.length}` : ''}
        </Text>
        <Text color={theme.section.producers}> Streams: {streamText}</Text>
      </Text>
    </Box>
  );
}
