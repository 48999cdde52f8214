import { Box, Text } from 'ink';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { toGaterError, validateName } from '../../core/index.js';
import { useInputReady } from '../hooks/useInputReady.js';
import { useKeyRouter, useKeys } from '../input/KeyRouter.js';
import { theme } from '../theme.js';
import { TextField } from './TextField.js';

export type Parsed = { ok: true; value: unknown; shown?: string } | { ok: false; error: string };
export type Values = Record<string, unknown>;

export interface FieldSpec {
  key: string;
  /** The reference's prompt text, e.g. `Number of producers (default 3): `. */
  prompt: string;
  /** Taken when the answer is empty; shown in the prompt by the caller. */
  defaultValue?: string;
  /** Validates and converts the (trimmed) answer; an error re-prompts with the message. Default: any text. */
  parse?: (raw: string, values: Values) => Parsed;
  /** Asked only when this returns true for the answers so far. */
  when?: (values: Values) => boolean;
  /** Printed just above this field's prompt (lists of choices, examples). */
  intro?: ReactNode;
}

export interface FormProps {
  heading?: ReactNode;
  fields: FieldSpec[];
  /** Runs with every answer; the form shows a busy line meanwhile. A throw is reported by `onError`. */
  onSubmit: (values: Values) => void | Promise<void>;
  onCancel: () => void;
  onError?: (message: string) => void;
}

/**
 * A sequence of prompts, one at a time like the reference's `IO.gets` chain: answered prompts stay visible,
 * invalid input re-prompts with a clear message, empty input takes the default, Esc goes back at any point.
 */
export function Form({ heading, fields, onSubmit, onCancel, onError }: FormProps) {
  const [values, setValues] = useState<Values>({});
  const [answers, setAnswers] = useState<{ prompt: string; shown: string }[]>([]);
  const [index, setIndex] = useState(() => nextIndex(fields, -1, {}));
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  // Enter may arrive twice in one chunk; once submitted the form takes no more input.
  const submitted = useRef(false);
  // While the action runs (a BEAM cluster may take seconds) keys wait for the screen that follows it.
  const router = useKeyRouter();
  const endWait = useRef<(() => void) | undefined>(undefined);
  useEffect(() => () => endWait.current?.(), []);

  useKeys(
    (_input, key) => {
      if (key.escape) onCancel();
    },
    { isActive: !busy },
  );
  const ready = useInputReady();

  const field = fields[index];
  // Where the form really is: Enter pressed twice quickly (accepting two defaults) reaches a handler from
  // before the re-render, which must still act on the current field.
  const live = useRef({ index, values });

  const submitField = (rawInput: string) => {
    const { index, values } = live.current;
    const field = fields[index];
    if (!field || submitted.current) return;
    let raw = rawInput.trim();
    if (raw === '' && field.defaultValue !== undefined) raw = field.defaultValue;
    const parsed: Parsed = field.parse ? field.parse(raw, values) : { ok: true, value: raw };
    setDraft('');
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(undefined);
    const nextValues = { ...values, [field.key]: parsed.value };
    setValues(nextValues);
    setAnswers((a) => [...a, { prompt: field.prompt, shown: parsed.shown ?? raw }]);
    const next = nextIndex(fields, index, nextValues);
    live.current = { index: next, values: nextValues };
    setIndex(next);
    if (next >= fields.length) {
      submitted.current = true;
      // At once, not in an effect: the rest of this burst (`{}⏎9⏎`) already waits.
      endWait.current = router.wait();
      setBusy(true);
      Promise.resolve()
        .then(() => onSubmit(nextValues))
        .catch((e: unknown) => onError?.(toGaterError(e).message));
    }
  };

  return (
    <Box flexDirection="column">
      {heading}
      {answers.map((a, i) => (
        <Text key={i} wrap="truncate-end">
          <Text color={theme.ui.prompt}>{a.prompt}</Text>
          {a.shown}
        </Text>
      ))}
      {field && !busy && (
        <>
          {field.intro}
          {error && <Text color={theme.status.error}>❌ {error}</Text>}
          <TextField prompt={field.prompt} value={draft} onChange={setDraft} onSubmit={submitField} />
          {ready && <Text color={theme.status.muted}>Enter to confirm · Esc back to the menu</Text>}
        </>
      )}
      {busy && <Text color={theme.status.muted}>⏳ Working…</Text>}
    </Box>
  );
}

function nextIndex(fields: FieldSpec[], from: number, values: Values): number {
  let i = from + 1;
  while (i < fields.length && fields[i]!.when && !fields[i]!.when!(values)) i++;
  return i;
}

/** An integer >= min; empty answers never reach here when the field has a default. */
export function integerField(what: string, min: number, example: number): (raw: string) => Parsed {
  return (raw) => {
    if (!/^[+-]?\d+$/.test(raw))
      return { ok: false, error: `"${raw}" is not a whole number; ${what} must be a number such as ${example}` };
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) return { ok: false, error: `${what} must be ${min} or more, got ${raw}` };
    return { ok: true, value: n };
  };
}

/** An observer or subscription name: the core's rule (length, printable), its message as the re-prompt. */
export function nameField(kind: 'observer' | 'subscription'): (raw: string) => Parsed {
  return (raw) => {
    try {
      return { ok: true, value: validateName(kind, raw) };
    } catch (e) {
      return { ok: false, error: toGaterError(e).message };
    }
  };
}

/** Any non-empty text. */
export function requiredField(what: string, example: string): (raw: string) => Parsed {
  return (raw) =>
    raw === ''
      ? { ok: false, error: `${what} must not be empty; type one such as ${example}` }
      : { ok: true, value: raw };
}
