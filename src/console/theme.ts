/**
 * Semantic colour tokens, mapped from the reference console themes (EXESDB_SPEC §6.7) as 256-colour indices.
 * Components ask for `theme.event.seen`, never for a raw colour, so a palette change happens here only.
 * The reference prints on a black background (`*_on_black`); we keep the foreground only, because a forced
 * black band looks broken on light terminals and the foreground alone carries the meaning.
 */
const ansi = (n: number) => `ansi256(${n})`;

/** Palette indices of EXESDB_SPEC §6.7. */
export const PALETTE = {
  black: 0,
  red: 1,
  green: 2,
  yellow: 3,
  blue: 4,
  magenta: 5,
  cyan: 6,
  white: 7,
  brightRed: 9,
  brightGreen: 10,
  brightYellow: 11,
  brightBlue: 12,
  brightCyan: 14,
  brightWhite: 15,
  purple: 129,
  amber: 214,
} as const;

export const theme = {
  event: {
    /** `SEEN [...]`: bright_green_on_black. */
    seen: ansi(PALETTE.brightGreen),
    /** `RECEIVED [...]`: bright_green_on_black. */
    received: ansi(PALETTE.brightGreen),
    /** `APPENDED [...]`: bright_yellow_on_black. */
    appended: ansi(PALETTE.brightYellow),
    /** `OBSERVER/SUBSCRIBER/PRODUCER [...] is UP!`: the pid colour, bright_yellow. */
    lifecycle: ansi(PALETTE.brightYellow),
  },
  status: {
    success: ansi(PALETTE.green),
    error: ansi(PALETTE.red),
    warning: ansi(PALETTE.yellow),
    info: ansi(PALETTE.cyan),
    muted: 'gray',
  },
  section: {
    /** `========== ExESDB Interactive Console ==========`: bright_blue_on_black. */
    title: ansi(PALETTE.brightBlue),
    observers: ansi(PALETTE.green),
    producers: ansi(PALETTE.yellow),
    subscriptions: ansi(PALETTE.purple),
    data: ansi(PALETTE.blue),
    exit: ansi(PALETTE.red),
    /** Screen headings (`📊 Creating Observer by Stream`): bright_green_on_black. */
    heading: ansi(PALETTE.brightGreen),
    /** `📋 Active ...` list headings: bright_blue_on_black. */
    list: ansi(PALETTE.brightBlue),
    /** `🛑 Stopping Producer`, `👋 Shutting down`: bright_red_on_black. */
    danger: ansi(PALETTE.brightRed),
    /** `👁️  Monitoring Observer`: bright_yellow_on_black. */
    monitor: ansi(PALETTE.brightYellow),
  },
  ui: {
    prompt: ansi(PALETTE.brightWhite),
    selected: ansi(PALETTE.brightCyan),
    /** Filter matches in live views. */
    highlightBg: ansi(PALETTE.amber),
    highlightFg: ansi(PALETTE.black),
    /** Table headers (reference: cyan). */
    header: ansi(PALETTE.cyan),
  },
  json: {
    key: ansi(PALETTE.brightCyan),
    string: ansi(PALETTE.brightGreen),
    number: ansi(PALETTE.brightYellow),
    literal: ansi(PALETTE.magenta),
    punctuation: 'gray',
  },
  log: {
    debug: 'gray',
    info: ansi(PALETTE.cyan),
    warn: ansi(PALETTE.yellow),
    error: ansi(PALETTE.red),
  },
} as const;

/** Result-line tones as the reference prints them: ✅ green, ❌ red, ⚠️ yellow, headings and plain text. */
export type Tone = 'success' | 'error' | 'warning' | 'info' | 'heading' | 'plain' | 'muted';

const TONE_COLORS: Record<Tone, string | undefined> = {
  success: theme.status.success,
  error: theme.status.error,
  warning: theme.status.warning,
  info: theme.status.info,
  heading: theme.section.heading,
  muted: theme.status.muted,
  plain: undefined,
};

export function toneColor(tone: Tone): string | undefined {
  return TONE_COLORS[tone];
}
