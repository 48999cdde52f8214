import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderConsole, type ConsoleHarness } from '../../test/helpers/renderWithProviders.js';
import { splitWords } from './commandBar.js';

describe('splitWords (the command bar reads words as a shell would)', () => {
  // POSIX single quoting: everything literal, a quote written as '\''. (shell-quote's own quote() escapes a
  // backquote inside double quotes, which its parser then keeps: not what a shell does, so not used here.)
  const shellQuote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;

  it('gives back any words a shell quoted', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 1 }).filter((w) => !w.includes('\0')),
          { maxLength: 6 },
        ),
        (words) => {
          expect(splitWords(words.map(shellQuote).join(' '))).toEqual(words);
        },
      ),
    );
  });

  it('keeps $all and patterns literal, and refuses shell syntax', () => {
    expect(splitWords(`observe --stream $all --payload '%{operator: "John"}'`)).toEqual([
      'observe',
      '--stream',
      '$all',
      '--payload',
      '%{operator: "John"}',
    ]);
    expect(splitWords('read gh* -n 2 # a note')).toEqual(['read', 'gh*', '-n', '2']);
    expect(() => splitWords('append s --generate 2 | rm -rf /')).toThrow(/"\|" is shell syntax/);
    expect(() => splitWords('status; status')).toThrow(/shell syntax/);
  });
});

describe('the : command bar', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  const command = async (line: string) => {
    await c.press(':');
    await c.waitFor('Command (the scripted');
    await c.answer(line);
  };

  it('runs append, follow and help in the scripted syntax and shows the result on the menu', async () => {
    await command('append greenhouse1 --generate 5 --seed 7');
    await c.waitFor('✅ Appended 5 events to greenhouse1 (version 4)');
    expect(await c.gater.api.getVersion('reg_gh', 'greenhouse1')).toBe(4);
    await command('append greenhouse1 --type x:v1 --expected-version 2');
    await c.waitFor('❌ stream "greenhouse1" is at version 4, not 2');
    await command(`append orders --type order_placed:v1 --data '{"total":3}' --metadata '{"correlation_id":"k1"}'`);
    await c.waitFor('✅ Appended 1 event to orders (version 0)');
    const [e] = await c.gater.api.getEvents('reg_gh', 'orders', 0, 1);
    expect(e).toMatchObject({ eventType: 'order_placed:v1', data: { total: 3 }, metadata: { correlation_id: 'k1' } });
    await command('follow k1');
    const f = await c.waitFor('🔗 k1: 1 event');
    expect(f).toMatch(/● orders #0 {2}order_placed:v1/);
    await command('help');
    await c.waitFor('Commands (the scripted syntax):');
    expect(c.frame()).toContain(':observe [--stream S');
  });

  it('observe, subscribe and read open their live views', async () => {
    await command('observe --type temperature_measured:v1 --name temps');
    await c.waitFor(/temps/);
    expect(c.services.observers.get('temps')).toMatchObject({
      type: 'by_event_type',
      selector: 'temperature_measured:v1',
    });
    await c.back();
    await command(`observe --payload '%{operator: "John"}'`);
    await c.waitFor(/obs-\d+/);
    const created = c.services.observers.list().find((o) => o.name.startsWith('obs-'))!;
    expect(created.selector).toEqual({ operator: 'John' });
    await c.back();
    await command('subscribe --name audit --stream greenhouse2');
    await c.waitFor(/audit/);
    expect(c.services.subscription('audit')?.status).toBe('Running');
    await c.back();
    await c.gater.api.appendEvents('reg_gh', 'gh9', [{ eventType: 'a:v1', data: { n: 1 } }]);
    await command('read gh9 -n 3');
    await c.waitFor(/gh9/);
  });

  it('says what is wrong with a bad command and changes nothing; Esc cancels', async () => {
    for (const [line, msg] of [
      ['nope', '❌ unknown command "nope"; :help lists them'],
      ['append', '❌ append takes one stream'],
      ['observe --stream a --type b', '❌ choose one selector: --stream or --type'],
      ['append s --generate 2 | rm -rf /', '"|" is shell syntax'],
      ['append s --generate x', '--generate must be an integer >= 1, got "x"'],
      ['observe --payload %{oops', 'bad pattern'],
      ['subscribe', 'subscribe needs --name'],
      ['append s --frobnicate', "Unknown option '--frobnicate'"],
    ] as const) {
      await command(line);
      await c.waitFor(msg);
      await c.waitFor('Select an option (1-15)');
    }
    expect(await c.gater.api.getStreams('reg_gh')).toEqual([]);
    expect(c.services.observers.list()).toEqual([]);
    await c.press(':');
    await c.waitFor('Command (the scripted');
    await c.back();
  });

  it('? on the menu shows its keys, : and l among them; the next key only closes it', async () => {
    await c.press('?');
    const f = await c.waitFor('⌨️ Keys — Menu');
    expect(f).toMatch(/:\s+command bar/);
    expect(f).toMatch(/l\s+the gateway log/);
    await c.press('5');
    await c.waitFor((s) => !s.includes('⌨️ Keys'));
    expect(c.frame()).toContain('Select an option (1-15):');
    expect(c.frame()).not.toMatch(/Select an option \(1-15\): 5/);
  });
});
