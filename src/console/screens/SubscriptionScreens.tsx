import { Text } from 'ink';
import { useRef, useState } from 'react';
import { plural, type SubscriptionInfo } from '../../core/index.js';
import { PickTable } from '../components/PickTable.js';
import { Form, integerField, nameField, type Parsed } from '../components/Form.js';
import { Heading, ViewFrame } from '../components/Notice.js';
import { fail, ok, warn } from '../components/ResultBlock.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { cell, inspectSelector } from '../format.js';
import { usePolling } from '../hooks/usePolling.js';
import { theme } from '../theme.js';
import type { ResultLine, Route } from '../menu.js';
import type { ScreenProps } from './types.js';

/** Option 10 — Create Subscription: named and persistent; its RECEIVED lines are acked as they are shown. */
export function CreateSubscription({ done, navigate }: ScreenProps) {
  const services = useServices();
  const required = nameField('subscription');
  const name = (raw: string): Parsed => {
    const r = required(raw);
    if (!r.ok) return r;
    if (raw === 'transient') return { ok: false, error: '"transient" is reserved for live views; pick another name' };
    if (services.subscription(raw)?.status === 'Running')
      return { ok: false, error: `a subscription named '${raw}' is already running in this console` };
    return r;
  };
  const stream = (raw: string): Parsed =>
    /\s/.test(raw) ? { ok: false, error: `a stream name has no spaces, got "${raw}"` } : { ok: true, value: raw };
  return (
    <Form
      heading={<Heading color={theme.section.subscriptions}>📡 Creating Subscription</Heading>}
      fields={[
        { key: 'name', prompt: 'Enter subscription name: ', parse: name },
        { key: 'stream', prompt: 'Enter stream name or $all (default $all): ', defaultValue: '$all', parse: stream },
        {
          key: 'startFrom',
          prompt: 'Start from version (default 0): ',
          defaultValue: '0',
          parse: integerField('the start version', 0, 0),
        },
      ]}
      onCancel={() => done([warn('Cancelled — no subscription was created')])}
      onSubmit={async ({ name: n, stream: s, startFrom }) => {
        try {
          await services.createSubscription(String(n), String(s), startFrom as number);
        } catch (e) {
          done([fail(`Failed to create subscription: ${e instanceof Error ? e.message : String(e)}`)]);
          return;
        }
        navigate({ screen: 'subscriptionFeed', name: String(n), result: [ok(`Subscription '${String(n)}' created`)] });
      }}
    />
  );
}

/** Option 11 — Subscriptions as a table: checkpoint, lag (and how it moved), in-flight, parked; pick and act. */
export function ListSubscriptions({ done, navigate, quit }: ScreenProps) {
  const services = useServices();
  const subs = usePolling(() => services.gater.api.getSubscriptions(services.store), 1000);
  // The lag of each subscription at the previous refresh, so the table shows which way it moves.
  const lastLag = useRef(new Map<string, { lag: number; delta: number }>());
  const heading = <Heading color={theme.section.list}>📋 Active Subscriptions</Heading>;
  if (subs.state !== 'ready')
    return (
      <ViewFrame onBack={() => done()} onQuit={quit}>
        {heading}
        {subs.state === 'loading' ? (
          <Text color={theme.status.muted}>loading…</Text>
        ) : (
          <Text color={theme.status.error}>❌ Failed to get subscriptions: {subs.message}</Text>
        )}
      </ViewFrame>
    );
  const persistent = subs.value.filter((s) => s.persistent);
  const transient = subs.value.length - persistent.length;
  for (const s of persistent) {
    const prev = lastLag.current.get(s.name);
    if (!prev || prev.lag !== s.lag) lastLag.current.set(s.name, { lag: s.lag, delta: prev ? s.lag - prev.lag : 0 });
  }
  const lagText = (s: SubscriptionInfo) => {
    const d = lastLag.current.get(s.name)?.delta ?? 0;
    return `${s.lag}${d > 0 ? ` ▲${d}` : d < 0 ? ` ▼${-d}` : ''}`;
  };
  const localRunning = (s: SubscriptionInfo) => services.subscription(s.name)?.status === 'Running';
  const open = async (s: SubscriptionInfo): Promise<ResultLine | void> => {
    const back: Route = { screen: 'option', n: 11 };
    if (localRunning(s)) return navigate({ screen: 'subscriptionFeed', name: s.name, result: [], back });
    await services.createSubscription(s.name, String(s.selector), s.startFrom);
    navigate({
      screen: 'subscriptionFeed',
      name: s.name,
      result: [ok(`Subscription '${s.name}' attached again; it resumes from checkpoint ${s.checkpoint}`)],
      back,
    });
  };
  return (
    <PickTable
      heading={heading}
      keymap="subscriptions"
      rows={persistent}
      rowKey={(s) => `${s.name}|${inspectSelector(s.selector)}`}
      header={`${cell('Name', 20)} ${cell('Selector', 18)} ${cell('Active', 7)} ${cell('Checkpoint', 11)} ${cell('Lag', 10)} ${cell('In-flight', 10)} ${cell('Parked', 7)} Recv/acked`}
      renderRow={(s) => {
        const local = services.subscription(s.name);
        return (
          <>
            {cell(s.name, 20)} {cell(inspectSelector(s.selector), 18)}{' '}
            <Text color={s.active ? theme.status.success : theme.status.muted}>{cell(s.active ? 'yes' : 'no', 7)}</Text>{' '}
            {cell(String(s.checkpoint), 11)} {cell(lagText(s), 10)} {cell(String(s.inFlight), 10)}{' '}
            <Text color={s.parked ? theme.status.error : undefined}>{cell(String(s.parked), 7)}</Text>{' '}
            {local ? `${local.received}/${local.acked}` : '-'}
          </>
        );
      }}
      actions={[
        {
          key: 'enter',
          label: 'Enter open',
          unavailable: (s) =>
            localRunning(s)
              ? undefined
              : s.type !== 'by_stream' || typeof s.selector !== 'string'
                ? `'${s.name}' is not a stream subscription; this console attaches to stream subscriptions only`
                : s.active
                  ? `'${s.name}' has a subscriber attached elsewhere; stop it there first`
                  : undefined,
          run: open,
        },
        {
          key: 's',
          label: 's stop',
          unavailable: (s) =>
            localRunning(s) ? undefined : `'${s.name}' is not attached by this console; nothing to stop here`,
          run: async (s) => {
            await services.subscription(s.name)?.close();
            return ok(`Stopped '${s.name}'; it keeps its checkpoint (${s.checkpoint}), Enter attaches again`);
          },
        },
        {
          key: 'd',
          label: 'd delete',
          confirm: (s) => `Delete subscription '${s.name}' with its checkpoint and ${s.parked} parked event(s)?`,
          run: async (s) => {
            await services.subscription(s.name)?.close();
            await services.gater.api.deleteSubscription(services.store, s.name);
            return ok(`Subscription '${s.name}' deleted`);
          },
        },
        {
          key: 'p',
          label: 'p parked',
          run: (s) => navigate({ screen: 'parked', name: s.name }),
        },
      ]}
      emptyText="No active subscriptions"
      onBack={() => done()}
      onQuit={quit}
    >
      {transient > 0 ? <Text color={theme.status.muted}>(+{transient} transient live view(s): observers)</Text> : null}
    </PickTable>
  );
}

/** A subscription's parked events: retries and why each was parked; replay or skip the selected one or all. */
export function ParkedEvents({ name, navigate, quit }: ScreenProps & { name: string }) {
  const services = useServices();
  const [nonce, setNonce] = useState(0);
  const parked = usePolling(() => services.gater.api.listParked(services.store, name), 1000, [nonce]);
  const { store, gater } = services;
  const back = () => navigate({ screen: 'option', n: 11 });
  const heading = (
    <Heading color={theme.section.subscriptions}>
      🅿️ Parked events of &apos;{name}&apos;{parked.state === 'ready' ? ` (${parked.value.length})` : ''}
    </Heading>
  );
  if (parked.state !== 'ready')
    return (
      <ViewFrame onBack={back} onQuit={quit}>
        {heading}
        {parked.state === 'loading' ? (
          <Text color={theme.status.muted}>loading…</Text>
        ) : (
          <Text color={theme.status.error}>❌ Failed to list parked events: {parked.message}</Text>
        )}
      </ViewFrame>
    );
  const rows = parked.value;
  // Each action refreshes the list at once rather than at the next poll.
  const after = (line: ResultLine): ResultLine => {
    setNonce((n) => n + 1);
    return line;
  };
  return (
    <PickTable
      heading={heading}
      keymap="parked"
      rows={rows}
      rowKey={(p) => String(p.position)}
      header={`${cell('Position', 9)} ${cell('Event', 28)} ${cell('Retries', 8)} ${cell('Last error', 12)} Parked at`}
      renderRow={(p) => (
        <>
          {cell(String(p.position), 9)} {cell(`${p.eventStreamId} #${p.eventNumber}`, 28)} {cell(String(p.retries), 8)}{' '}
          <Text color={theme.status.error}>{cell(p.reason, 12)}</Text> {p.parkedAt}
        </>
      )}
      actions={[
        {
          key: 'r',
          label: 'r replay',
          run: async (p) => {
            const r = await gater.api.replayParked(store, name, [p.position]);
            return after(ok(`Replayed ${plural(r.replayed, 'event')} (position ${p.position}) to '${name}'`));
          },
        },
        {
          key: 'R',
          label: 'R replay all',
          run: async () => {
            const r = await gater.api.replayParked(store, name);
            return after(ok(`Replayed ${plural(r.replayed, 'event')} to '${name}'`));
          },
        },
        {
          key: 'k',
          label: 'k skip',
          confirm: (p) => `Skip ${p.eventStreamId} #${p.eventNumber} for good?`,
          run: async (p) => {
            const r = await gater.api.skipParked(store, name, [p.position]);
            return after(ok(`Skipped ${plural(r.skipped, 'event')} (position ${p.position})`));
          },
        },
        {
          key: 'K',
          label: 'K skip all',
          confirm: () => `Skip all ${rows.length} parked event(s) of '${name}' for good?`,
          run: async () => {
            const r = await gater.api.skipParked(store, name);
            return after(ok(`Skipped ${plural(r.skipped, 'event')}`));
          },
        },
      ]}
      emptyText={`No parked events for '${name}'`}
      onBack={back}
      onQuit={quit}
    />
  );
}
