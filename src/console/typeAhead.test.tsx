import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY, READY, renderConsole, type ConsoleHarness } from '../../test/helpers/renderWithProviders.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Makes one call of the gateway's API answer `ms` later, as a distant or busy cluster does. */
function slowDown(c: ConsoleHarness, method: 'getStreams' | 'appendEvents', ms: number): void {
  const api = c.gater.api as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const real = api[method]!.bind(c.gater.api);
  api[method] = async (...a: unknown[]) => {
    await sleep(ms);
    return real(...a);
  };
}

describe('type-ahead: keys typed before a screen is ready are kept for it', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  it('`8⏎greenhouse1⏎` in one burst stops greenhouse1 (the form opened by 8 gets the rest)', async () => {
    c.services.startProducers(2, { periodMs: 60_000 });
    await c.waitFor(READY);
    await c.press(`8${KEY.enter}greenhouse1${KEY.enter}`);
    await c.waitFor("Producer for 'greenhouse1' stopped");
    expect(c.services.producers.list().map((p) => p.stream)).toEqual(['greenhouse2']);
  });

  it('the same burst as separate writes with no pause between them', async () => {
    c.services.startProducers(2, { periodMs: 60_000 });
    await c.waitFor(READY);
    await c.type(['8', KEY.enter, 'g', 'reenhouse', '1', KEY.enter]);
    await c.waitFor("Producer for 'greenhouse1' stopped");
    expect(c.services.producers.list().map((p) => p.stream)).toEqual(['greenhouse2']);
  });

  it('Esc followed at once by 9 is Esc and then 9, not Alt-9', async () => {
    await c.choose(4);
    await c.waitFor('📋 Active Observers');
    await c.press(`${KEY.escape}9`);
    const f = await c.waitFor('Select an option (1-15): 9');
    expect(f).not.toContain('📋 Active Observers');
  });

  it('Backspaces read in one chunk each delete a character (a held key, tmux send-keys BSpace BSpace…)', async () => {
    await c.choose(13);
    await c.waitFor('Enter stream name');
    await c.press('stream-abcdef');
    await c.waitFor('Enter stream name (default greenhouse1): stream-abcdef');
    await c.press(`${KEY.backspace.repeat(3)}xyz${KEY.backspace}${KEY.backspace}q`);
    await c.waitFor('Enter stream name (default greenhouse1): stream-abcxq');
    await c.press(KEY.enter);
    await c.answer('1');
    await c.answer('t:v1');
    await c.answer('{}');
    await c.waitFor("Appended 1 event to 'stream-abcxq'");
    expect(await c.gater.api.getStreams('reg_gh')).toEqual(['stream-abcxq']);
  });

  // A BEAM cluster answers in milliseconds to seconds (rex round trip, ExESDB's wait for a gateway worker): keys
  // typed while a screen waits for it must wait with it, past the router's one-second hold.
  it('keys typed while option 12 loads its streams from a slow cluster reach its prompt', async () => {
    await c.gater.api.appendEvents('reg_gh', 'slow-1', [{ eventType: 't', data: {} }]);
    await c.gater.api.appendEvents('reg_gh', 'slow-2', [{ eventType: 't', data: {} }]);
    slowDown(c, 'getStreams', 1500);
    await c.waitFor(READY);
    await c.type(['1', '2', KEY.enter]);
    await c.waitFor('loading streams');
    for (const k of ['s', 'l', 'o', 'w', '-', '2', KEY.enter]) {
      await sleep(40);
      await c.type([k]);
    }
    await c.waitFor('Number of events per page', 5000);
    expect(c.frame()).toContain('Enter stream name or number (default slow-1): slow-2');
  });

  it('keys typed while a form works on a slow cluster go to the screen after it', async () => {
    slowDown(c, 'appendEvents', 1500);
    await c.choose(13);
    await c.answer('slow-3');
    await c.answer('1');
    await c.answer('t:v1');
    await c.type(['{}', KEY.enter]);
    await c.waitFor('Working');
    await c.type(['9']);
    await c.type([KEY.enter]);
    await c.waitFor('📋 Active Producers', 5000);
    expect(c.frame()).toContain('No active producers');
    expect(await c.gater.api.getVersion('reg_gh', 'slow-3')).toBe(0);
  });

  it('a paste of 6,000 characters read in several chunks is taken whole', async () => {
    const payload = JSON.stringify({ note: 'x'.repeat(6000) });
    await c.choose(13);
    await c.answer('pasted');
    await c.answer('1');
    await c.answer('note_taken:v1');
    await c.waitFor('Payload as JSON');
    // a terminal hands a big paste over in pieces, faster than the screen redraws
    const pieces = payload.match(/.{1,900}/gs)!;
    await c.type([...pieces, KEY.enter]);
    await c.waitFor(/Appended 1 events? to 'pasted'/);
    const [e] = await c.gater.api.getEvents('reg_gh', 'pasted', 0, 1, 'forward');
    expect((e!.data as { note: string }).note).toHaveLength(6000);
  });
});

describe('Ctrl-C', () => {
  let c: ConsoleHarness;
  beforeEach(async () => {
    c = await renderConsole();
  });
  afterEach(async () => {
    await c.cleanup();
  });

  it('in a live view leaves the view; a second Ctrl-C at the menu quits cleanly', async () => {
    await c.services.createObserver('all_obs', 'by_stream', '$all');
    await c.choose(5);
    await c.answer('all_obs');
    await c.waitFor('👁️  Monitoring Observer: all_obs');
    await c.press('\u0003');
    await c.waitFor('Select an option (1-15)');
    expect(c.services.observers.get('all_obs')?.status).toBe('Running');
    await c.press('\u0003');
    await c.waitFor('✅ Console shut down successfully!');
    expect(c.services.observers.list()).toEqual([]);
  });
});
