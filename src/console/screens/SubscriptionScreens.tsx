import { Box, Text } from 'ink';
import type { SubscriptionInfo } from '../../core/index.js';
import { Form, integerField, nameField, type Parsed } from '../components/Form.js';
import { Heading, ViewFrame } from '../components/Notice.js';
import { fail, ok, warn } from '../components/ResultBlock.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { cell, inspectSelector } from '../format.js';
import { usePolling } from '../hooks/usePolling.js';
import { theme } from '../theme.js';
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

/** Option 11 — List Subscriptions with checkpoint, lag, in-flight and parked. */
export function ListSubscriptions({ done, quit }: ScreenProps) {
  const services = useServices();
  const subs = usePolling(() => services.gater.api.getSubscriptions(services.store), 1000);
  return (
    <ViewFrame onBack={() => done()} onQuit={quit} hints="refreshes every second · Esc back · q quit">
      <Heading color={theme.section.list}>📋 Active Subscriptions</Heading>
      {subs.state === 'loading' && <Text color={theme.status.muted}>loading…</Text>}
      {subs.state === 'error' && <Text color={theme.status.error}>❌ Failed to get subscriptions: {subs.message}</Text>}
      {subs.state === 'ready' && <SubscriptionTable subs={subs.value} />}
    </ViewFrame>
  );
}

function SubscriptionTable({ subs }: { subs: SubscriptionInfo[] }) {
  const services = useServices();
  const persistent = subs.filter((s) => s.persistent);
  const transient = subs.length - persistent.length;
  return (
    <Box flexDirection="column">
      {persistent.length === 0 ? (
        <Text color={theme.status.warning}>{'⚠️  '}No active subscriptions</Text>
      ) : (
        <>
          <Text color={theme.ui.header} wrap="truncate-end">
            {cell('Name', 20)} {cell('Selector', 18)} {cell('Active', 7)} {cell('Checkpoint', 11)} {cell('Lag', 6)}{' '}
            {cell('In-flight', 10)} {cell('Parked', 7)} Recv/acked
          </Text>
          <Text>{'-'.repeat(100)}</Text>
          {persistent.map((s) => {
            const local = services.subscription(s.name);
            return (
              <Text key={`${s.name}|${inspectSelector(s.selector)}`} wrap="truncate-end">
                {cell(s.name, 20)} {cell(inspectSelector(s.selector), 18)}{' '}
                <Text color={s.active ? theme.status.success : theme.status.muted}>
                  {cell(s.active ? 'yes' : 'no', 7)}
                </Text>{' '}
                {cell(String(s.checkpoint), 11)} {cell(String(s.lag), 6)} {cell(String(s.inFlight), 10)}{' '}
                <Text color={s.parked ? theme.status.error : undefined}>{cell(String(s.parked), 7)}</Text>{' '}
                {local ? `${local.received}/${local.acked}` : '-'}
              </Text>
            );
          })}
        </>
      )}
      {transient > 0 && <Text color={theme.status.muted}>(+{transient} transient live view(s): observers)</Text>}
    </Box>
  );
}
