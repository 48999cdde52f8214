/**
 * A daily user's walk in a real terminal (tmux), on the embedded default: producers started and an observer opened
 * from the `:` command bar, the monitor scrolled back and an event's details and correlation tree opened, a
 * producer picked and stopped from its table, a subscription opened again from option 11's table, the `?` keymap,
 * the enlarged log, and a clean exit. Typed one key at a time, each echo awaited, as a person watching the screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TmuxConsole, alive, childrenOf, requireConsoleTerminal } from '../helpers/tmuxConsole.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seenLines = (s: string) => s.split('\n').filter((l) => l.startsWith('SEEN ["'));

const term = new TmuxConsole(`exesdb-daily-${process.pid}`, { cols: 160, rows: 50 });
let shellPid = 0;
let nodePid = 0;

beforeAll(async () => {
  requireConsoleTerminal();
  shellPid = term.start(`node bin/ex-esdb-console.js; echo "EXIT CODE $?"; sleep 120`);
  await term.waitFor('Select an option (1-15)', 30_000);
  nodePid = childrenOf(shellPid)[0] ?? 0;
}, 60_000);

afterAll(async () => {
  term.kill();
  for (let i = 0; i < 50 && [shellPid, nodePid].some((p) => p && alive(p)); i++) await sleep(100);
});

/** `:` on the menu, then the command typed at the bar's prompt and Enter. */
async function command(line: string): Promise<void> {
  await term.waitFor('Select an option (1-15)');
  await term.press(':');
  await term.answer('❯ :', line);
}

describe('a daily walk through the console (tmux)', () => {
  it('command bar, monitor scroll-back and details, pick-and-act tables, keymap, log, exit', async () => {
    expect(nodePid).toBeGreaterThan(0);

    await command('produce --producers 3 --period 50');
    await term.waitFor('✅ Started 3 producers: greenhouse1, greenhouse2, greenhouse3');

    await command('observe --name all_events');
    await term.waitFor('Monitoring Observer: all_events');
    await term.waitFor((s) => seenLines(s).length >= 5, 20_000);

    // Scroll back: the selection holds still while events keep arriving; Enter opens the event's details.
    await term.key('Up');
    await term.waitFor('Enter details');
    await term.key('Enter');
    const details = await term.waitFor(/stream\s+greenhouse\d\s+version \d+\s+position \d+/);
    expect(details).toMatch(/correlation_id/);
    await term.press('f');
    await term.waitFor(/🔗 Correlation tree: \d+ events?/, 15_000);
    await term.key('Escape');
    await term.waitFor(/stream\s+greenhouse\d\s+version/);
    // ? shows this view's keys; any key closes the overlay
    await term.press('?');
    await term.waitFor('⌨️ Keys');
    // Each Esc goes one level back; the next is sent once the screen shows it arrived (two Escs sent together
    // may be read as one Alt-Esc by the terminal).
    await term.key('Escape');
    await term.waitFor((s) => !s.includes('⌨️ Keys') && s.includes('f follow correlation'));
    await term.key('Escape'); // the detail pane
    await term.waitFor((s) => !s.includes('f follow correlation') && s.includes('G/Esc live'));
    await term.key('Escape'); // back to live
    await term.waitFor('Enter details · space pause');
    await term.key('Escape'); // back to the menu
    await term.waitFor('Select an option (1-15)');

    // Option 9: pick the second producer with the arrows and stop it with s (asked first).
    await term.option(9);
    await term.waitFor('📋 Active Producers');
    await term.key('Down');
    await term.waitFor(/❯ greenhouse2/);
    await term.press('s');
    await term.waitFor("Stop the producer on 'greenhouse2'? (y/N)");
    await term.press('y');
    await term.waitFor("✅ Producer for 'greenhouse2' stopped");
    await term.key('Escape');

    // A subscription, left, then opened again from option 11's table.
    await command('subscribe --name audit --stream greenhouse1');
    await term.waitFor('📡 Subscription: audit');
    await term.waitFor((s) => s.split('\n').some((l) => l.startsWith('RECEIVED')), 20_000);
    await term.key('Escape');
    await term.waitFor('Select an option (1-15)');
    await term.option(11);
    await term.waitFor(/❯ audit/);
    await term.key('Enter');
    await term.waitFor('📡 Subscription: audit');
    await term.key('Escape');
    await term.waitFor((s) => s.includes('📋 Active Subscriptions') && !s.includes('📡 Subscription: audit'));
    await term.key('Escape');

    // The log, enlarged.
    await term.waitFor('Select an option (1-15)');
    await term.press('l');
    await term.waitFor('📜 Gateway log');
    await term.key('Escape');

    // ? on the menu: its keys; any key closes them
    await term.waitFor('Select an option (1-15)');
    await term.press('?');
    await term.waitFor('⌨️ Keys — Menu');
    await term.key('Escape');
    await term.waitFor((s) => !s.includes('⌨️ Keys'));

    // :help, then exit cleanly.
    await command('help');
    await term.waitFor('Commands (the scripted syntax):');
    await term.option(15);
    await term.waitFor('EXIT CODE 0', 20_000);
  }, 180_000);
});
