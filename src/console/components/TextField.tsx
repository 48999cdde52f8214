import TextInput from 'ink-text-input';
import { Text } from 'ink';
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
 * submits what precedes it instead of putting a raw "\r" into the value.
 */
export function TextField({ prompt, value, onChange, onSubmit, focus = true, placeholder }: TextFieldProps) {
  const change = (v: string) => {
    const nl = v.search(/[\r\n]/);
    if (nl >= 0) {
      onChange('');
      onSubmit(v.slice(0, nl));
      return;
    }
    onChange(v);
  };
  return (
    <Text>
      <Text color={theme.ui.prompt}>{prompt}</Text>
      <TextInput value={value} onChange={change} onSubmit={onSubmit} focus={focus} placeholder={placeholder} />
    </Text>
  );
}
