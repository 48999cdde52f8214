import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { ProducerInfo } from '../../core/index.js';
import { Form, integerField, type Parsed } from '../components/Form.js';
import { Heading, ViewFrame } from '../components/Notice.js';
import { PickTable } from '../components/PickTable.js';
import { info, ok, warn } from '../components/ResultBlock.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { useArrowMark } from '../hooks/useArrowMark.js';
import { cell } from '../format.js';
import type { ConsoleServices } from '../services.js';
import { theme } from '../theme.js';
import { runAction } from './runAction.js';
import type { ScreenProps } from './types.js';

/** More producers than this is a typo, not a test (each one is a timer and a stream). */
const MAX_PRODUCERS = 100;

function useProducerList(services: ConsoleServices): ProducerInfo[] {
  const [list, setList] = useState(() => services.producers.list());
  useEffect(() => {
    const t = setInterval(() => setList(services.producers.list()), 1000);
    return () => clearInterval(t);
  }, [services]);
  return list;
}

/** Option 7 — Start Producers on greenhouse1..N (EXESDB_SPEC §7.12 item 2: one naming scheme). */
export function StartProducers({ done }: ScreenProps) {
  const services = useServices();
  const count = integerField('the number of producers', 1, 3);
  return (
    <Form
      heading={<Heading color={theme.section.producers}>🏭 Starting Producers</Heading>}
      fields={[
        {
          key: 'count',
          prompt: 'Number of producers (default 3): ',
          defaultValue: '3',
          parse: (raw): Parsed => {
            const r = count(raw);
            if (r.ok && (r.value as number) > MAX_PRODUCERS)
              return { ok: false, error: `at most ${MAX_PRODUCERS} producers, got ${raw}` };
            return r;
          },
        },
        {
          key: 'batchSize',
          prompt: 'Batch size, events per append (default 1): ',
          defaultValue: '1',
          parse: integerField('the batch size', 1, 1),
        },
        {
          key: 'periodMs',
          prompt: 'Period between appends in ms (default 2000): ',
          defaultValue: '2000',
          parse: integerField('the period', 0, 2000),
        },
      ]}
      onCancel={() => done([warn('Cancelled — no producer was started')])}
      onSubmit={({ count: n, batchSize, periodMs }) =>
        runAction(done, 'start producers', async () => {
          const wanted = n as number;
          const started = services.startProducers(wanted, {
            batchSize: batchSize as number,
            periodMs: periodMs as number,
          });
          const lines = [ok(`Started ${started.length} producers`)];
          if (started.length)
            lines.push(info(`  ${started.join(', ')} (${String(batchSize)} event(s) every ${String(periodMs)} ms)`));
          if (started.length < wanted) lines.push(warn(`${wanted - started.length} already running, left as they are`));
          return lines;
        })
      }
    />
  );
}

/** Option 8 — Stop Producer by stream. */
export function StopProducer({ done, quit }: ScreenProps) {
  const services = useServices();
  const list = useProducerList(services);
  // ↑/↓ mark a running producer; Enter on an empty prompt stops the marked one (typing a stream still works).
  const mark = useArrowMark(list.map((p) => p.stream));
  const markedStream = mark.marked;
  if (list.length === 0) {
    return (
      <ViewFrame onBack={() => done()} onQuit={quit}>
        <Heading color={theme.section.danger}>🛑 Stopping Producer</Heading>
        <Text color={theme.status.warning}>{'⚠️  '}No active producers — start some with 7 first</Text>
      </ViewFrame>
    );
  }
  const known = (typed: string): Parsed => {
    const raw = typed === '' ? (mark.current() ?? '') : typed;
    if (raw === '') return { ok: false, error: 'type the stream of a running producer, e.g. greenhouse1' };
    if (!services.producers.list().some((p) => p.stream === raw)) {
      return {
        ok: false,
        error: `no producer for stream '${raw}'; running: ${services.producers
          .list()
          .map((p) => p.stream)
          .join(', ')}`,
      };
    }
    return { ok: true, value: raw };
  };
  return (
    <Form
      heading={
        <Box flexDirection="column">
          <Heading color={theme.section.danger}>🛑 Stopping Producer</Heading>
          <Text color={theme.status.info}>Running: {list.map((p) => p.stream).join(', ')}</Text>
          <Text color={theme.status.muted}>
            ❯ Enter on an empty prompt stops <Text color={theme.ui.selected}>{markedStream}</Text> (↑/↓ pick another, or
            type a stream)
          </Text>
        </Box>
      }
      fields={[{ key: 'stream', prompt: 'Enter stream ID to stop producer: ', parse: known }]}
      onCancel={() => done([warn('Cancelled — no producer was stopped')])}
      onSubmit={({ stream }) =>
        runAction(done, 'stop producer', async () => {
          await services.producers.stop(String(stream));
          return [ok(`Producer for '${String(stream)}' stopped`)];
        })
      }
    />
  );
}

/**
 * Option 9 — the producers as a table to pick from (the listing the reference left as a stub): s stops the
 * selected one (asks first), Enter or m monitors its stream (an observer named watch_<stream>, reused).
 */
export function ListProducers({ done, navigate, quit }: ScreenProps) {
  const services = useServices();
  useProducerList(services); // the clock: counts and rates move once a second
  const [, refresh] = useState(0);
  const monitor = async (p: ProducerInfo) => {
    const name = `watch_${p.stream}`;
    if (services.observers.get(name)?.status !== 'Running') await services.createObserver(name, 'by_stream', p.stream);
    navigate({ screen: 'monitor', observer: name });
  };
  return (
    <PickTable
      heading={<Heading color={theme.section.list}>📋 Active Producers</Heading>}
      rows={services.producers.list()}
      rowKey={(p) => p.stream}
      header={`${cell('Stream', 16)} ${cell('Status', 8)} ${cell('Produced', 9)} ${cell('Rate/s', 7)} ${cell('Last ver', 9)} ${cell('Batch', 6)} ${cell('Period', 8)} Last error`}
      renderRow={(p) => <ProducerRow p={p} />}
      emptyText="No active producers"
      onBack={() => done()}
      onQuit={quit}
      actions={[
        { key: 'enter', label: 'Enter monitor', run: monitor },
        { key: 'm', label: 'm monitor', run: monitor },
        {
          key: 's',
          label: 's stop',
          confirm: (p) => `Stop the producer on '${p.stream}'?`,
          run: async (p) => {
            await services.producers.stop(p.stream);
            refresh((n) => n + 1);
            return ok(`Producer for '${p.stream}' stopped`);
          },
        },
      ]}
    />
  );
}

function ProducerRow({ p }: { p: ProducerInfo }) {
  return (
    <>
      {cell(p.stream, 16)}{' '}
      <Text color={p.status === 'running' ? theme.status.success : theme.status.error}>{cell(p.status, 8)}</Text>{' '}
      {cell(String(p.produced), 9)} {cell(p.ratePerSec.toFixed(1), 7)} {cell(String(p.lastVersion), 9)}{' '}
      {cell(String(p.batchSize), 6)} {cell(`${p.periodMs} ms`, 8)}{' '}
      <Text color={theme.status.error}>{p.lastError ?? ''}</Text>
    </>
  );
}
