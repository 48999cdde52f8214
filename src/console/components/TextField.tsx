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
  const change = (v: string) => {
    const nl = v.search(/[\r\n]/);
    if (nl >= 0) {
      latest.current = '';
      onChange('');
      onSubmit(v.slice(0, nl));
      return;
    }
    latest.current = v;
    onChange(v);
  };
  const submit = () => onSubmit(latest.current);
  return (
    <Text>
      <Text color={theme.ui.prompt}>{prompt}</Text>
      <TextInput value={value} onChange={change} onSubmit={submit} focus={focus} placeholder={placeholder} />
    </Text>
  );
}
