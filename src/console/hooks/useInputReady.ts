import { useEffect, useState } from 'react';

/**
 * True once the component's input handlers are attached. Call it after the component's `useInput` hooks:
 * effects run in declaration order and children's before their parent's, so when this flips, keys are heard.
 * Screens show their key hints only then, which tells a fast typist (or a test driving a real terminal) that
 * typing now is safe; Ink draws the first frame before its input effects have run.
 */
export function useInputReady(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  return ready;
}
