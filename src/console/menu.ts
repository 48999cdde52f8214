import type { BenchOptions } from '../core/bench/index.js';
import { theme } from './theme.js';

/** What `:bench` passes to its screen: the scripted `bench` command's load options. */
export type BenchScreenOptions = Omit<BenchOptions, 'store' | 'onProgress' | 'signal' | 'progressMs'>;

/** Where the shell can be. Options map to `{ screen: 'option', n }`; live views carry what they show. */
export type Route =
  | { screen: 'menu' }
  | { screen: 'option'; n: number }
  | { screen: 'monitor'; observer: string }
  | { screen: 'subscriptionFeed'; name: string; result: ResultLine[]; back?: Route }
  | { screen: 'parked'; name: string }
  | { screen: 'browser'; stream: string; pageSize: number }
  | { screen: 'command' }
  | { screen: 'logs' }
  | { screen: 'bench'; options: BenchScreenOptions };

/** What a menu item's action asks the shell to do (gemini-cli's command results). */
export type MenuResult = { type: 'navigate'; route: Route } | { type: 'quit' };

/** One line of an action's outcome, shown above the menu as the reference prints it. */
export interface ResultLine {
  tone: 'success' | 'error' | 'warning' | 'info' | 'heading' | 'plain' | 'muted';
  text: string;
}

export type MenuGroupId = 'observers' | 'producers' | 'subscriptions' | 'data' | 'exit';

export interface MenuGroup {
  id: MenuGroupId;
  title: string;
  color: string;
}

export interface MenuItem {
  number: number;
  label: string;
  group: MenuGroupId;
  action: () => MenuResult;
}

/** The reference's groups and their colours (EXESDB_SPEC §7.3). */
export const MENU_GROUPS: readonly MenuGroup[] = [
  { id: 'observers', title: '📊 Observers:', color: theme.section.observers },
  { id: 'producers', title: '🏭 Producers:', color: theme.section.producers },
  { id: 'subscriptions', title: '📡 Subscriptions:', color: theme.section.subscriptions },
  { id: 'data', title: '📈 Data Management:', color: theme.section.data },
  { id: 'exit', title: '🚪 Exit:', color: theme.section.exit },
];

const open = (n: number) => (): MenuResult => ({ type: 'navigate', route: { screen: 'option', n } });

/** The 15 options, numbered and grouped as in the reference (EXESDB_SPEC §7.3). */
export const MENU_ITEMS: readonly MenuItem[] = [
  { number: 1, label: 'Create Observer by Stream', group: 'observers', action: open(1) },
  { number: 2, label: 'Create Observer by Event Type', group: 'observers', action: open(2) },
  { number: 3, label: 'Create Observer by Event Payload', group: 'observers', action: open(3) },
  { number: 4, label: 'List Active Observers', group: 'observers', action: open(4) },
  { number: 5, label: 'Monitor Specific Observer', group: 'observers', action: open(5) },
  { number: 6, label: 'Stop Observer', group: 'observers', action: open(6) },
  { number: 7, label: 'Start Producers', group: 'producers', action: open(7) },
  { number: 8, label: 'Stop Producer', group: 'producers', action: open(8) },
  { number: 9, label: 'List Active Producers', group: 'producers', action: open(9) },
  { number: 10, label: 'Create Subscription', group: 'subscriptions', action: open(10) },
  { number: 11, label: 'List Subscriptions', group: 'subscriptions', action: open(11) },
  { number: 12, label: 'View Stream Data', group: 'data', action: open(12) },
  { number: 13, label: 'Append Events Manually', group: 'data', action: open(13) },
  { number: 14, label: 'Get Cluster Status', group: 'data', action: open(14) },
  { number: 15, label: 'Exit Console', group: 'exit', action: () => ({ type: 'quit' }) },
];

/** The reference prompt and its error (EXESDB_SPEC §7.3). */
export const MENU_PROMPT = `👉 Select an option (1-${MENU_ITEMS.length}): `;
export const INVALID_CHOICE = '❌ Invalid choice. Please try again.';

/** The item for typed text: exactly "1".."15" after trimming, as the reference accepts. */
export function itemForInput(text: string): MenuItem | undefined {
  const t = text.trim();
  if (!/^\d{1,2}$/.test(t)) return undefined;
  return MENU_ITEMS.find((i) => String(i.number) === t);
}
