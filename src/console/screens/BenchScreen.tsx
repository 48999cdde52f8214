import { Box, Text } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { toGaterError } from '../../core/index.js';
import {
  BENCH_DEFAULT_EVENTS,
  benchProgressLine,
  benchText,
  runBench,
  type BenchProgress,
  type LatencySummary,
} from '../../core/bench/index.js';
import { Heading } from '../components/Notice.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { useInputReady } from '../hooks/useInputReady.js';
import { useKeys } from '../input/KeyRouter.js';
import { theme } from '../theme.js';
import type { BenchScreenOptions } from '../menu.js';
import type { ScreenProps } from './types.js';

const BAR_WIDTH = 50;

/**
 * `:bench` — the tool's own load generator (the `bench` command) as a screen: a progress line and the append
 * latency percentiles as bars, redrawn every half second while it runs, then the whole report. Esc stops a run
 * early (what was measured is reported); Esc again goes back.
 */
export function BenchScreen({ options, done, quit }: ScreenProps & { options: BenchScreenOptions }) {
  const services = useServices();
  const [progress, setProgress] = useState<BenchProgress | undefined>();
  const [report, setReport] = useState<string[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const abort = useRef(new AbortController());
  const finished = useRef(false);

  useEffect(() => {
    const ctl = abort.current;
    void runBench(services.gater.api, {
      ...options,
      store: services.store,
      read: options.read ?? false,
      progressMs: 500,
      onProgress: setProgress,
      signal: ctl.signal,
    }).then(
      (r) => {
        finished.current = true;
        setReport(benchText(r, `${services.gater.mode} ${services.store}`));
      },
      (e: unknown) => {
        finished.current = true;
        setError(toGaterError(e).message);
      },
    );
    // Leaving the screen stops the run.
    return () => ctl.abort();
  }, [services, options]);

  useKeys((input, key) => {
    if (key.escape) {
      if (!finished.current && !abort.current.signal.aborted) abort.current.abort();
      else done();
    } else if (input === 'q') quit();
  });
  const ready = useInputReady();
  const running = report === undefined && error === undefined;
  return (
    <Box flexDirection="column">
      <Heading color={theme.section.title}>
        ⏱️ Bench on {services.store}: {describe(options)}
      </Heading>
      <Text color={theme.status.muted}>
        appends bench:v1 events to bench-… streams of this store (the scripted `bench` command does the same)
      </Text>
      {progress && <Text>{benchProgressLine(progress)}</Text>}
      {progress && running && <LatencyBars latency={progress.appendLatency} />}
      {report?.map((l, i) => (
        <Text key={i}>{l}</Text>
      ))}
      {error && <Text color={theme.status.error}>❌ {error}</Text>}
      {ready && (
        <Text color={theme.status.muted}>
          {running ? (abort.current.signal.aborted ? 'stopping…' : 'Esc stop') : 'Esc back'} · q quit
        </Text>
      )}
    </Box>
  );
}

function describe(o: BenchScreenOptions): string {
  const parts = [
    o.durationMs === undefined
      ? `${o.events ?? BENCH_DEFAULT_EVENTS} events`
      : o.events === undefined
        ? `${o.durationMs} ms`
        : `${o.events} events or ${o.durationMs} ms, whichever ends first`,
    `batch ${o.batch ?? 1}`,
    `${o.clients ?? 1} client${(o.clients ?? 1) === 1 ? '' : 's'}`,
  ];
  if (o.rate !== undefined) parts.push(`${o.rate}/s open loop`);
  if (o.subscribers) parts.push(`${o.subscribers} subscriber${o.subscribers === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** Append latency percentiles as bars scaled to the largest (the max), so the tail's shape shows at a glance. */
function LatencyBars({ latency }: { latency: LatencySummary }) {
  if (latency.count === 0) return <Text color={theme.status.muted}>waiting for the first answers…</Text>;
  const rows: [string, number][] = [
    ['p50', latency.p50],
    ['p90', latency.p90],
    ['p99', latency.p99],
    ['p99.9', latency.p999],
    ['max', latency.max],
  ];
  const top = Math.max(...rows.map(([, v]) => v), 1e-6);
  return (
    <Box flexDirection="column">
      <Text color={theme.ui.header}>append latency ({latency.count.toLocaleString('en-US')} calls)</Text>
      {rows.map(([label, v]) => (
        <Text key={label}>
          {label.padStart(6)}{' '}
          <Text color={theme.status.info}>{'█'.repeat(Math.max(1, Math.round((v / top) * BAR_WIDTH)))}</Text>{' '}
          {v.toFixed(3)} ms
        </Text>
      ))}
    </Box>
  );
}
