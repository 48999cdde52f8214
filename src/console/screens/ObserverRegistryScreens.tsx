import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { ObserverInfo } from '../../core/index.js';
import { Form, type Parsed } from '../components/Form.js';
import { Heading, ViewFrame } from '../components/Notice.js';
import { PickTable } from '../components/PickTable.js';
import { ok, warn } from '../components/ResultBlock.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { useArrowMark } from '../hooks/useArrowMark.js';
import { cell, clock, inspectSelector } from '../format.js';
import type { ConsoleServices } from '../services.js';
import { theme } from '../theme.js';
import { runAction } from './runAction.js';
import type { ScreenProps } from './types.js';

/** The registry as a table that refreshes every second (counts and last-event times move). */
function useObserverList(services: ConsoleServices): ObserverInfo[] {
  const [list, setList] = useState(() => services.observers.list());
  useEffect(() => {
    const t = setInterval(() => setList(services.observers.list()), 1000);
    return () => clearInterval(t);
  }, [services]);
  return list;
}

/**
 * Reference §7.4 option 4 columns (name, type, selector, status; narrowed to fit 100 columns), plus events seen and
 * last event. With `selected`, rows carry a pick marker (options 5 and 6: ↑/↓ pick, Enter takes the marked one).
 */
export function ObserverTable({ observers, selected }: { observers: ObserverInfo[]; selected?: string }) {
  if (observers.length === 0) return <Text color={theme.status.warning}>{'⚠️  '}No active observers</Text>;
  const picking = selected !== undefined;
  return (
    <Box flexDirection="column">
      <Text color={theme.ui.header} wrap="truncate-end">
        {picking ? '  ' : ''}
        {cell('Name', 20)} {cell('Type', 18)} {cell('Selector', 26)} {cell('Status', 11)} {cell('Seen', 7)} Last event
      </Text>
      <Text>{'-'.repeat(95)}</Text>
      {observers.map((o) => {
        const isSelected = o.name === selected;
        return (
          <Text key={o.name} wrap="truncate-end" inverse={isSelected}>
            {picking ? <Text color={theme.ui.selected}>{isSelected ? '❯ ' : '  '}</Text> : null}
            <ObserverRow o={o} />
          </Text>
        );
      })}
    </Box>
  );
}

/** Option 4 — the observers as a table to pick from: Enter or m monitors, s stops, d deletes (asks first). */
export function ListObservers({ done, navigate, quit }: ScreenProps) {
  const services = useServices();
  useObserverList(services); // the clock: counts and times move once a second
  const [, refresh] = useState(0);
  const rows = services.observers.list(); // read at each render, so an action shows its effect at once
  const running = (o: ObserverInfo) => (o.status === 'Running' ? undefined : `'${o.name}' is already stopped`);
  return (
    <PickTable
      heading={<Heading color={theme.section.list}>📋 Active Observers</Heading>}
      rows={rows}
      rowKey={(o) => o.name}
      header={`${cell('Name', 20)} ${cell('Type', 18)} ${cell('Selector', 26)} ${cell('Status', 11)} ${cell('Seen', 7)} Last event`}
      renderRow={(o) => <ObserverRow o={o} />}
      emptyText="No active observers"
      onBack={() => done()}
      onQuit={quit}
      actions={[
        { key: 'enter', label: 'Enter monitor', run: (o) => navigate({ screen: 'monitor', observer: o.name }) },
        { key: 'm', label: 'm monitor', run: (o) => navigate({ screen: 'monitor', observer: o.name }) },
        {
          key: 's',
          label: 's stop',
          unavailable: running,
          run: async (o) => {
            await services.observers.get(o.name)?.stop();
            refresh((n) => n + 1);
            return ok(`Observer '${o.name}' stopped (d deletes it from the list)`);
          },
        },
        {
          key: 'd',
          label: 'd delete',
          confirm: (o) => `Delete observer '${o.name}'${o.status === 'Running' ? ' (it is running)' : ''}?`,
          run: async (o) => {
            await services.stopObserver(o.name);
            refresh((n) => n + 1);
            return ok(`Observer '${o.name}' deleted`);
          },
        },
      ]}
    />
  );
}

function ObserverRow({ o }: { o: ObserverInfo }) {
  return (
    <>
      {cell(o.name, 20)} {cell(o.type, 18)} {cell(inspectSelector(o.selector), 26)}{' '}
      {o.status === 'Running' ? (
        <Text color={theme.status.success}>{cell('🟢 Running', 10)}</Text>
      ) : (
        <Text color={theme.status.error}>{cell('🔴 Stopped', 10)}</Text>
      )}{' '}
      {cell(String(o.seen), 7)} {clock(o.lastEventAt)}
    </>
  );
}

function knownObserver(services: ConsoleServices, requireRunning: boolean) {
  return (raw: string): Parsed => {
    if (raw === '') return { ok: false, error: 'type the name of an observer from the list' };
    const o = services.observers.get(raw);
    if (!o) return { ok: false, error: `Observer '${raw}' not found; names are case-sensitive, see the list above` };
    if (requireRunning && o.status !== 'Running') return { ok: false, error: `Observer '${raw}' is not running` };
    return { ok: true, value: o.name };
  };
}

/**
 * Options 5 and 6 share their shape (reference §7.4): the registry table, then a prompt for a known observer name.
 * With no observers there is nothing to pick, so the screen says so instead of prompting.
 */
function PickObserver({
  props: { done, quit },
  emptyText,
  prompt,
  requireRunning,
  onCancel,
  onPicked,
}: {
  props: ScreenProps;
  emptyText: string;
  prompt: string;
  requireRunning: boolean;
  onCancel: () => void;
  onPicked: (name: string) => void;
}) {
  const services = useServices();
  const list = useObserverList(services);
  // ↑/↓ move a marker through the table; Enter on an empty prompt takes the marked observer, so no name need be
  // typed (typing one still works, as at the reference's prompt).
  const eligible = requireRunning ? list.filter((o) => o.status === 'Running') : list;
  const mark = useArrowMark(eligible.map((o) => o.name));
  const markedName = mark.marked;
  const heading = <Heading color={theme.section.list}>📋 Active Observers</Heading>;
  if (list.length === 0) {
    return (
      <ViewFrame onBack={() => done()} onQuit={quit}>
        {heading}
        <Text color={theme.status.warning}>
          {'⚠️  '}
          {emptyText}
        </Text>
      </ViewFrame>
    );
  }
  return (
    <Form
      heading={
        <Box flexDirection="column">
          {heading}
          <ObserverTable observers={list} selected={markedName ?? ''} />
          <Text color={theme.status.muted}>↑/↓ pick · Enter takes the marked one, or type a name</Text>
        </Box>
      }
      fields={[
        {
          key: 'name',
          prompt,
          parse: (raw: string) => {
            const picked = raw === '' ? mark.current() : raw;
            return picked === undefined
              ? { ok: false, error: 'no running observer to pick; press Esc' }
              : knownObserver(services, requireRunning)(picked);
          },
        },
      ]}
      onCancel={onCancel}
      onSubmit={({ name }) => onPicked(String(name))}
    />
  );
}

/** Option 5 — Monitor Specific Observer: the list, then a name; opens the live monitor. */
export function MonitorObserverPrompt(props: ScreenProps) {
  return (
    <PickObserver
      props={props}
      emptyText="No active observers — create one with 1, 2 or 3 first"
      prompt="Enter observer name to monitor: "
      requireRunning
      onCancel={() => props.done()}
      onPicked={(observer) => props.navigate({ screen: 'monitor', observer })}
    />
  );
}

/** Option 6 — Stop Observer. */
export function StopObserver(props: ScreenProps) {
  const services = useServices();
  const { done } = props;
  return (
    <PickObserver
      props={props}
      emptyText="No active observers — nothing to stop"
      prompt="Enter observer name to stop: "
      requireRunning={false}
      onCancel={() => done([warn('Cancelled — no observer was stopped')])}
      // runAction never rejects (a failure becomes the screen's result line), so nothing is left unhandled.
      onPicked={(n) =>
        void runAction(done, 'stop observer', async () => {
          const r = await services.stopObserver(n);
          return [r === 'stopped' ? ok(`Observer '${n}' stopped`) : warn(`Observer '${n}' was already stopped`)];
        })
      }
    />
  );
}
