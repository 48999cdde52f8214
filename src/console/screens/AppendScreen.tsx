import { Text } from 'ink';
import { plural, tryParsePattern, type NewEvent } from '../../core/index.js';
import { generateGreenhouseEvents } from '../../domain/greenhouse/index.js';
import { Form, integerField, requiredField, type Parsed } from '../components/Form.js';
import { Heading } from '../components/Notice.js';
import { info, ok, plain, warn } from '../components/ResultBlock.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { compactJson, eventSummary } from '../format.js';
import { theme } from '../theme.js';
import { runAction } from './runAction.js';
import type { ScreenProps } from './types.js';

const MAX_APPEND = 10_000;

/**
 * Option 13 — Append Events Manually. Without an event type it appends generated greenhouse events (as the
 * reference); with one, `count` copies of that type and payload. Reports the number appended, the new version
 * and the last up-to-3 events (the fix EXESDB_SPEC §7.6 recommends).
 */
export function AppendEvents({ done }: ScreenProps) {
  const services = useServices();
  const count = (raw: string): Parsed => {
    const r = integerField('the number of events', 1, 5)(raw);
    return r.ok && (r.value as number) > MAX_APPEND ? { ok: false, error: `at most ${MAX_APPEND} events at once` } : r;
  };
  const payload = (raw: string): Parsed => {
    const r = tryParsePattern(raw);
    return r.ok
      ? { ok: true, value: r.pattern, shown: compactJson(r.pattern) }
      : { ok: false, error: `bad payload: ${r.error}` };
  };
  const eventType = (raw: string): Parsed =>
    /\s/.test(raw)
      ? { ok: false, error: `an event type has no spaces, got "${raw}"` }
      : { ok: true, value: raw, shown: raw || '(generated)' };
  return (
    <Form
      heading={<Heading color={theme.section.data}>📝 Append Events Manually</Heading>}
      fields={[
        {
          key: 'stream',
          prompt: 'Enter stream name (default greenhouse1): ',
          defaultValue: 'greenhouse1',
          parse: requiredField('the stream name', 'greenhouse1'),
        },
        { key: 'count', prompt: 'Number of events to append (default 5): ', defaultValue: '5', parse: count },
        { key: 'eventType', prompt: 'Event type (Enter for generated greenhouse events): ', parse: eventType },
        {
          key: 'payload',
          prompt: 'Payload as JSON or %{...} map (default {}): ',
          defaultValue: '{}',
          parse: payload,
          when: (v) => v.eventType !== '',
          intro: (
            <Text color={theme.status.muted}>
              {'e.g. {"operator":"John","temperature":20} or %{operator: "John", temperature: 20}'}
            </Text>
          ),
        },
      ]}
      onCancel={() => done([warn('Cancelled — nothing was appended')])}
      onSubmit={(v) =>
        runAction(done, 'append events', async () => {
          const { api } = services.gater;
          const stream = String(v.stream);
          const n = v.count as number;
          const type = String(v.eventType ?? '');
          const version = await api.getVersion(services.store, stream);
          const events: NewEvent[] = type
            ? Array.from({ length: n }, () => ({ eventType: type, data: v.payload }))
            : generateGreenhouseEvents(version, n);
          const newVersion = await api.appendEvents(services.store, stream, events);
          const from = Math.max(0, newVersion - 2);
          const latest = await api.getEvents(services.store, stream, from, newVersion - from + 1, 'forward');
          return [
            ok(`Appended ${plural(events.length, 'event')} to '${stream}' (stream version now ${newVersion})`),
            info('Latest events:'),
            ...latest.map((e) => plain(`  • ${eventSummary(e)}`)),
          ];
        })
      }
    />
  );
}
