import { useRef, useState } from 'react';
import { useKeys } from '../input/KeyRouter.js';

/**
 * A marker moved through `names` with ↑/↓ (wrapping), for prompts that take "the marked one" on an empty Enter
 * (options 5, 6 and 8). The first name is marked until the user moves; a marked name that leaves the list gives
 * way to the first again. `current()` reads the latest mark: keys come faster than React renders.
 */
export function useArrowMark(names: readonly string[]): {
  marked: string | undefined;
  current: () => string | undefined;
} {
  const [chosen, setChosen] = useState<string | undefined>();
  const marked = chosen !== undefined && names.includes(chosen) ? chosen : names[0];
  const live = useRef({ marked, names });
  live.current = { marked, names };
  useKeys((_input, key) => {
    if (!key.upArrow && !key.downArrow) return;
    const { marked: m, names: rows } = live.current;
    if (rows.length === 0) return;
    const i = Math.max(0, m === undefined ? 0 : rows.indexOf(m));
    const next = rows[(i + (key.upArrow ? -1 : 1) + rows.length) % rows.length]!;
    live.current.marked = next;
    setChosen(next);
  });
  return { marked, current: () => live.current.marked };
}
