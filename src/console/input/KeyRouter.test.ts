import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyRouter } from './KeyRouter.js';
import { keyOf } from './keyEvents.js';

const text = (input: string) => [input, keyOf({})] as const;
const flush = () => new Promise<void>((r) => queueMicrotask(r));

describe('KeyRouter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a hold gives up after a second: keys then go to whoever listens', () => {
    const r = new KeyRouter();
    const got: string[] = [];
    r.register((i) => void got.push(i));
    r.hold();
    r.receive(...text('a'));
    expect(got).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(got).toEqual(['a']);
  });

  it('a wait (a screen loading, a form working) holds keys for as long as it lasts, then hands them over in order', async () => {
    const r = new KeyRouter();
    const got: string[] = [];
    r.register((i) => void got.push(i));
    const end = r.wait();
    r.receive(...text('a'));
    r.receive(...text('b'));
    vi.advanceTimersByTime(30_000);
    expect(got).toEqual([]);
    end();
    end(); // ending twice is harmless
    await flush();
    expect(got).toEqual(['a', 'b']);
    r.receive(...text('c'));
    expect(got).toEqual(['a', 'b', 'c']);
  });

  it('a wait that ends with a screen change keeps the keys for the next screen', async () => {
    const r = new KeyRouter();
    const old: string[] = [];
    const next: string[] = [];
    const offOld = r.register((i) => void old.push(i));
    const end = r.wait();
    r.receive(...text('9'));
    r.hold(); // the form's action finished: the shell changes screen
    offOld();
    end();
    await flush();
    expect(old).toEqual([]);
    r.register((i) => void next.push(i));
    await flush();
    expect(next).toEqual(['9']);
  });

  it('Ctrl-C is not held by a wait: it reaches the handlers and the fallback at once', () => {
    const r = new KeyRouter();
    const got: string[] = [];
    r.register((i, k) => void got.push(k.ctrl ? `^${i}` : i));
    r.fallback = (i, k) => void got.push(k.ctrl ? `fallback ^${i}` : i);
    r.wait();
    r.receive('c', keyOf({ ctrl: true }));
    expect(got).toEqual(['^c', 'fallback ^c']);
  });
});
