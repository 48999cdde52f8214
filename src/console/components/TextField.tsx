import { Text } from 'ink';
import { useRef, useState } from 'react';
import { useKeys } from '../input/KeyRouter.js';
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
 * A prompt line with an editable value (cursor with ←/→, Home/End, Backspace/Delete). The value being edited
 * lives in a ref as well as in the parent's state: keys arrive faster than React re-renders (a burst, a paste read
 * in several chunks), and each must build on the one before, so a paste of any size is taken whole. The key
 * router turns each newline into an Enter, which submits the latest value.
 */
export function TextField({ prompt, value, onChange, onSubmit, focus = true, placeholder }: TextFieldProps) {
  const live = useRef({ value, cursor: value.length, fromProps: value });
  const [, rerender] = useState(0);
  // The parent changed the value itself (cleared it after a submit): follow it.
  if (value !== live.current.fromProps) live.current = { value, cursor: value.length, fromProps: value };

  const set = (v: string, cursor: number) => {
    live.current = { value: v, cursor: Math.max(0, Math.min(cursor, v.length)), fromProps: v };
    onChange(v);
    rerender((n) => n + 1);
  };

  useKeys(
    (input, key) => {
      const { value: v, cursor } = live.current;
      if (key.return) {
        live.current = { value: '', cursor: 0, fromProps: live.current.fromProps };
        onSubmit(v);
        return;
      }
      if (key.leftArrow) return set(v, cursor - 1);
      if (key.rightArrow) return set(v, cursor + 1);
      if (key.home || (key.ctrl && input === 'a')) return set(v, 0);
      if (key.end || (key.ctrl && input === 'e')) return set(v, v.length);
      if (key.backspace || key.delete) {
        if (cursor === 0) return;
        return set(v.slice(0, cursor - 1) + v.slice(cursor), cursor - 1);
      }
      if (key.ctrl && input === 'u') return set(v.slice(cursor), 0);
      if (key.ctrl || key.meta || key.escape || key.tab || key.upArrow || key.downArrow) return;
      if (key.pageUp || key.pageDown || !input) return;
      set(v.slice(0, cursor) + input + v.slice(cursor), cursor + input.length);
    },
    { isActive: focus },
  );

  const { value: shown, cursor } = live.current;
  return (
    <Text>
      <Text color={theme.ui.prompt}>{prompt}</Text>
      {shown === '' && placeholder ? (
        <Text color={theme.status.muted}>{placeholder}</Text>
      ) : (
        <>
          {shown.slice(0, cursor)}
          {focus ? <Text inverse>{shown[cursor] ?? ' '}</Text> : (shown[cursor] ?? '')}
          {shown.slice(cursor + 1)}
        </>
      )}
    </Text>
  );
}
