/**
 * The OSC 52 escape that asks the terminal to put `text` on the system clipboard (xterm, iTerm2, kitty, WezTerm,
 * Windows Terminal; tmux with `set-clipboard on`). No clipboard program or dependency: the terminal does it, so it
 * works over SSH too. Terminals that do not support it ignore the sequence.
 */
export function osc52(text: string): string {
  return `\u001B]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
}
