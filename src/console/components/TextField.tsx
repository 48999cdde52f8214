import TextInput from 'ink-text-input';
import { Text } from 'ink';
import { useRef } from 'react';
import { theme } from '../theme.js';

export interface TextFieldProps {
  prompt: string;
  value: string;
  onChange: (v: string) => void;
  onSubmit: (v: string) => void;
  focus?: boolean;
  placeholder?: string;
}

/**
 * A prompt line with an ink-text-input. A chunk that carries a newline (paste, tmux send-keys, a fast typist)
 * submits what precedes it instead of putting a raw "\r" into the value. Enter submits the latest value even
 * when it arrives before React re-rendered with the last keystroke.
 */
export function TextField({ prompt, value, onChange, onSubmit, focus = true, placeholder }: TextFieldProps) {
  const latest = useRef(value);
  latest.current = value;
  const submitTo = useRef(onSubmit);
  submitTo.current = onSubmit;
  const change = (v: string) => {
    // Each newline in a chunk is an Enter: "300\r" submits 300, "\r\r\r" accepts three defaults.
    const parts = v.split(/\r\n|\r|\n/);
    const rest = parts.pop() ?? '';
    for (const p of parts) submitTo.current(p);
    latest.current = rest;
    onChange(rest);
  };
  const submit = () => {
    const v = latest.current;
    latest.current = ''; // a second Enter before the re-render submits the next (empty) answer, not this one
    submitTo.current(v);
  };
  return (
    <Text>
      <Text color={theme.ui.prompt}>{prompt}</Text>
      <TextInput value={value} onChange={change} onSubmit={submit} focus={focus} placeholder={placeholder} />
    </Text>
  );
}
