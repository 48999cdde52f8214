import type { Key } from 'ink';

/** One key (or one pasted run of text) as the console's screens receive it. */
export interface KeyEvent {
  input: string;
  key: Key;
}

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

export const keyOf = (over: Partial<Key>): Key => ({ ...NO_KEY, ...over });
const ENTER: KeyEvent = { input: '', key: keyOf({ return: true }) };
const ESCAPE: KeyEvent = { input: '', key: keyOf({ escape: true, meta: true }) };
/** What Ink reports for a lone DEL (the Backspace key of most terminals) and a lone Ctrl-H. */
const ERASE: Record<string, KeyEvent> = {
  '\x7f': { input: '', key: keyOf({ delete: true }) },
  '\b': { input: '', key: keyOf({ backspace: true }) },
};

/**
 * Turns what Ink read in one go into the keys a person typed:
 * - a run of text with newlines (a burst such as `8⏎greenhouse1⏎`, tmux send-keys, a paste) becomes text, Enter,
 *   text, Enter…, so a screen change after an Enter can take the rest of the burst;
 * - Esc followed quickly by a character arrives as one `ESC 9` sequence, which Ink reads as Alt-9; the console has
 *   no Alt shortcuts, so it is Esc and then `9`;
 * - DEL / Ctrl-H characters in a run of text (Backspace held or sent in a burst) become one Backspace each.
 * Everything else (arrows, Ctrl keys, a run of text without newlines however long) passes as it is.
 */
export function splitKeyEvents(input: string, key: Key): KeyEvent[] {
  if (key.meta && !key.escape && !key.ctrl && isText(input)) {
    return [ESCAPE, ...splitKeyEvents(input, keyOf({ shift: key.shift }))];
  }
  // Ink knows DEL / Ctrl-H only alone: several in one read (a held Backspace, tmux send-keys) arrive as text.
  if (!key.ctrl && !key.escape && !key.return && input.length > 1 && /[\x7f\b]/.test(input)) {
    return input
      .split(/([\x7f\b])/)
      .filter(Boolean)
      .flatMap((part) => (ERASE[part] ? [ERASE[part]] : splitKeyEvents(part, keyOf({ shift: key.shift }))));
  }
  if (key.ctrl || key.escape || key.return || !/[\r\n]/.test(input)) return [{ input, key }];
  const out: KeyEvent[] = [];
  const parts = input.split(/\r\n|\r|\n/);
  parts.forEach((text, i) => {
    if (text) out.push({ input: text, key: keyOf({}) });
    if (i < parts.length - 1) out.push(ENTER);
  });
  return out;
}

function isText(input: string): boolean {
  // eslint-disable-next-line no-control-regex
  return input.length > 0 && !/^[\u0000-\u001f\u007f]+$/.test(input);
}
