import { Box, Text } from 'ink';
import { GREENHOUSE_EVENT_TYPES } from '../../domain/greenhouse/index.js';
import { Form, nameField, type Parsed } from '../components/Form.js';
import { Heading } from '../components/Notice.js';
import { ok, warn } from '../components/ResultBlock.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { compactJson } from '../format.js';
import { usePolling } from '../hooks/usePolling.js';
import { tryParsePattern } from '../../core/index.js';
import type { ConsoleServices } from '../services.js';
import { theme } from '../theme.js';
import { runAction } from './runAction.js';
import type { ScreenProps } from './types.js';

const cancelled = () => [warn('Cancelled — back to the menu, nothing was created')];

/** Observer names: valid (length, printable), and not one that is already running (the registry would refuse it). */
function observerName(services: ConsoleServices) {
  const required = nameField('observer');
  return (raw: string): Parsed => {
    const r = required(raw);
    if (!r.ok) return r;
    if (services.observers.get(raw)?.status === 'Running')
      return { ok: false, error: `an observer named '${raw}' is already running; pick another name (6 stops it)` };
    return r;
  };
}

/** Option 1 — Create Observer by Stream. */
export function CreateObserverByStream({ done }: ScreenProps) {
  const services = useServices();
  // Only streams that exist: a name offered here must be one an observer will see events on.
  const streams = usePolling(() => services.gater.api.getStreams(services.store), 0);
  return (
    <Form
      heading={
        <Box flexDirection="column">
          <Heading>📊 Creating Observer by Stream</Heading>
          {streams.state === 'ready' && streams.value.length > 0 && (
            <Text color={theme.section.producers} wrap="truncate-end">
              Available streams: {JSON.stringify(streams.value).replace(/,/g, ', ')}
            </Text>
          )}
          {streams.state === 'ready' && streams.value.length === 0 && (
            <Text color={theme.status.warning}>
              {'⚠️  '}No streams yet — start producers (7) or append events (13); $all sees them as they come
            </Text>
          )}
          {streams.state === 'error' && (
            <Text color={theme.status.warning}>
              {'⚠️  '}Could not list streams: {streams.message}
            </Text>
          )}
          <Text>Special streams: $all (all streams)</Text>
        </Box>
      }
      fields={[
        {
          key: 'stream',
          prompt: 'Enter stream name or $all (default $all): ',
          defaultValue: '$all',
          parse: (raw) =>
            /\s/.test(raw)
              ? { ok: false, error: `a stream name has no spaces, got "${raw}"` }
              : { ok: true, value: raw },
        },
        { key: 'name', prompt: 'Enter observer name: ', parse: observerName(services) },
      ]}
      onCancel={() => done(cancelled())}
      onSubmit={({ stream, name }) =>
        runAction(done, 'create observer', async () => {
          await services.createObserver(String(name), 'by_stream', String(stream));
          return [ok(`Observer '${String(name)}' created for stream '${String(stream)}'`)];
        })
      }
    />
  );
}

/** Option 2 — Create Observer by Event Type: a number from the list or a typed type. */
export function CreateObserverByType({ done }: ScreenProps) {
  const services = useServices();
  const n = GREENHOUSE_EVENT_TYPES.length;
  const seen = usePolling(() => services.eventTypesInStore(), 0);
  const parseType = (raw: string): Parsed => {
    if (raw === '')
      return {
        ok: false,
        error: `type a number 1-${n} from the list or an event type such as temperature_measured:v1`,
      };
    if (/^\d+$/.test(raw)) {
      const t = GREENHOUSE_EVENT_TYPES[Number(raw) - 1];
      return t
        ? { ok: true, value: t, shown: t }
        : { ok: false, error: `there is no event type ${raw}; pick 1-${n} or type a name` };
    }
    if (/\s/.test(raw)) return { ok: false, error: `an event type has no spaces, got "${raw}"` };
    return { ok: true, value: raw };
  };
  return (
    <Form
      heading={
        <Box flexDirection="column">
          <Heading>📊 Creating Observer by Event Type</Heading>
          <Text>Available event types:</Text>
          {GREENHOUSE_EVENT_TYPES.map((t, i) => (
            <Text key={t}>
              {'  '}
              {i + 1}. {t}
            </Text>
          ))}
        </Box>
      }
      fields={[
        { key: 'type', prompt: `Enter event type (1-${n} or a name): `, parse: parseType },
        { key: 'name', prompt: 'Enter observer name: ', parse: observerName(services) },
      ]}
      onCancel={() => done(cancelled())}
      onSubmit={({ type, name }) =>
        runAction(done, 'create observer', async () => {
          const t = String(type);
          await services.createObserver(String(name), 'by_event_type', t);
          const lines = [ok(`Observer '${String(name)}' created for event type '${t}'`)];
          // A typo is accepted (the type may come later) but said: otherwise the observer just stays silent.
          const types = seen.state === 'ready' ? seen.value : await services.eventTypesInStore().catch(() => undefined);
          if (types && !(GREENHOUSE_EVENT_TYPES as readonly string[]).includes(t) && !types.has(t))
            lines.push(
              warn(
                `'${t}' is neither a greenhouse event type nor seen in the store yet — check the spelling; the observer shows nothing until such events are appended`,
              ),
            );
          return lines;
        })
      }
    />
  );
}

/** Option 3 — Create Observer by Event Payload: JSON or the reference's `%{operator: "John"}` syntax. */
export function CreateObserverByPayload({ done }: ScreenProps) {
  const services = useServices();
  const parsePattern = (raw: string): Parsed => {
    const r = tryParsePattern(raw);
    return r.ok ? { ok: true, value: r.pattern } : { ok: false, error: `bad pattern: ${r.error}` };
  };
  return (
    <Form
      heading={
        <Box flexDirection="column">
          <Heading>📊 Creating Observer by Event Payload</Heading>
          <Text>Example patterns:</Text>
          <Text>{'  %{operator: "John"}   - Events with operator John'}</Text>
          <Text>{'  %{temperature: 25}    - Events with temperature 25'}</Text>
          <Text>{'  %{intensity: _}       - Events with any intensity field'}</Text>
        </Box>
      }
      fields={[
        { key: 'name', prompt: 'Enter observer name: ', parse: observerName(services) },
        {
          key: 'pattern',
          prompt: 'Pattern: ',
          parse: parsePattern,
          intro: <Text>{'Enter payload pattern as Elixir map (e.g., %{operator: "John"}) or JSON'}</Text>,
        },
      ]}
      onCancel={() => done(cancelled())}
      onSubmit={({ name, pattern }) =>
        runAction(done, 'create observer', async () => {
          await services.createObserver(String(name), 'by_event_payload', pattern);
          const lines = [ok(`Observer '${String(name)}' created for payload pattern ${compactJson(pattern)}`)];
          if (Object.keys(pattern as object).length === 0)
            lines.push(warn('%{} has no keys, so it matches every event (like an observer on $all)'));
          return lines;
        })
      }
    />
  );
}
