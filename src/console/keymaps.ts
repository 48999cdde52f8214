/** One row of a keymap overlay: the keys, and what they do. */
export interface KeyHelp {
  keys: string;
  does: string;
}

const LEAVE: KeyHelp[] = [
  { keys: '?', does: 'this help (any key closes it)' },
  { keys: 'q', does: 'quit the console' },
];

/** Each screen's keys, as data: the `?` overlay draws them, and the README's console section lists the same. */
export const KEYMAPS = {
  menu: {
    title: 'Menu',
    keys: [
      { keys: '1 … 15 Enter', does: 'open an option (as at the reference prompt)' },
      { keys: '↑ / ↓ Enter', does: 'move through the options (wrapping) and open one' },
      { keys: ':', does: 'command bar: one command in the scripted syntax (:help lists them)' },
      { keys: 'l', does: 'the gateway log, enlarged and scrollable' },
      { keys: 'Esc', does: 'clear what was typed; in any screen: back' },
      { keys: 'Ctrl-C', does: 'quit with the clean shutdown (in a live view: leave it first)' },
      ...LEAVE,
    ],
  },
  logs: {
    title: 'Gateway log',
    keys: [
      { keys: '↑ / ↓', does: 'scroll a line (new lines do not move a scrolled-back window)' },
      { keys: 'PgUp / PgDn', does: 'scroll a page' },
      { keys: 'g / G', does: 'oldest line kept / newest' },
      { keys: 'Esc', does: 'back to the menu' },
      ...LEAVE,
    ],
  },
  monitor: {
    title: 'Live view (monitor, subscription)',
    keys: [
      { keys: '↑ / ↓', does: 'select a line (the view stops following; new lines keep arriving below)' },
      { keys: 'PgUp / PgDn', does: 'scroll back / forward a page' },
      { keys: 'g / G', does: 'oldest line kept / back to live (follow the newest)' },
      { keys: 'Enter', does: 'details of the selected event (the newest when none is selected)' },
      { keys: 'space', does: 'pause / resume drawing (counting goes on)' },
      { keys: '/', does: 'filter lines (matches highlighted); Esc clears' },
      { keys: 'e', does: 'export the events shown (filter applied) as NDJSON to ./ex-esdb-….ndjson' },
      { keys: 'Esc', does: 'back to live, clear the filter, then back to the menu' },
      { keys: 'h', does: 'subscription: hold mode on/off (shown, not acked; off acks every held event)' },
      { keys: 'a / n / x / k', does: 'subscription, held event (selected, or the oldest): ack / retry / park / skip' },
      { keys: 'Ctrl-C', does: 'leave the view (a second Ctrl-C at the menu quits)' },
      ...LEAVE,
    ],
  },
  detail: {
    title: 'Event details',
    keys: [
      { keys: 'f', does: 'follow its correlation: the transaction as a tree by causation (as `follow`)' },
      { keys: 'c', does: 'copy the event as JSON (OSC 52: the terminal sets the clipboard)' },
      { keys: 'Esc', does: 'back' },
      ...LEAVE,
    ],
  },
  tree: {
    title: 'Correlation tree',
    keys: [
      { keys: '↑ / ↓', does: 'select an event of the transaction' },
      { keys: 'Enter', does: 'details of the selected event' },
      { keys: 'Esc', does: 'back to the event' },
      ...LEAVE,
    ],
  },
  browser: {
    title: 'Stream browser',
    keys: [
      { keys: '↑ / ↓', does: 'select an event (past the edge: the next / previous page)' },
      { keys: '→ / ← (n / p, PgDn / PgUp)', does: 'next / previous page' },
      { keys: 'g / G', does: 'first / last page' },
      { keys: 'Enter', does: 'details of the selected event' },
      { keys: 'e', does: 'export the whole stream as NDJSON to ./ex-esdb-….ndjson' },
      { keys: 'r', does: 'refresh' },
      { keys: 'Esc', does: 'back to the menu' },
      ...LEAVE,
    ],
  },
  subscriptions: {
    title: 'Subscriptions',
    keys: [
      { keys: '↑ / ↓', does: 'select a subscription' },
      { keys: 'Enter', does: 'open its RECEIVED view (attaches this console again if it is not attached)' },
      { keys: 's', does: 'stop (detach this console; the subscription and its checkpoint stay)' },
      { keys: 'd', does: 'delete it with its checkpoint and parked events (asks first)' },
      { keys: 'p', does: 'its parked events' },
      { keys: 'Esc', does: 'back to the menu' },
      ...LEAVE,
    ],
  },
  parked: {
    title: 'Parked events',
    keys: [
      { keys: '↑ / ↓', does: 'select a parked event' },
      { keys: 'r / R', does: 'replay the selected / all (to the attached subscriber)' },
      { keys: 'k / K', does: 'skip the selected / all (dropped for good; asks first)' },
      { keys: 'Esc', does: 'back to the subscriptions' },
      ...LEAVE,
    ],
  },
  table: {
    title: 'Table',
    keys: [
      { keys: '↑ / ↓ (k / j)', does: 'select a row' },
      { keys: 'letters', does: 'act on the selected row, as the line under the table lists' },
      { keys: 'Esc', does: 'back to the menu' },
      ...LEAVE,
    ],
  },
  status: {
    title: 'Cluster status',
    keys: [{ keys: 'Esc / Enter', does: 'back to the menu' }, ...LEAVE],
  },
} as const satisfies Record<string, { title: string; keys: KeyHelp[] }>;

export type KeymapName = keyof typeof KEYMAPS;
