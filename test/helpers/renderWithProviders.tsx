import './pinInkEnv.js';
import { render } from 'ink-testing-library';
import { stripVTControlCharacters } from 'node:util';
import { App } from '../../src/console/App.js';
import { LogStore } from '../../src/console/feed.js';
import { ConsoleServices, type ConsoleServicesOptions } from '../../src/console/services.js';
import { startGater, type Gater, type GatewayOptions } from '../../src/gateway/index.js';

export const KEY = {
  enter: '\r',
  escape: '\u001B',
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  backspace: '\u007F',
} as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Key hints every screen shows once it hears keys. */
export const READY = /q quit|Esc back|Esc cancel/;

export interface ConsoleHarness {
  gater: Gater;
  services: ConsoleServices;
  exitState: { shutdownShown: boolean };
  /** The last frame without colour codes. */
  frame(): string;
  /** How many frames Ink has written so far (render-rate checks). */
  frameCount(): number;
  /** Everything written to the fake stdout so far, frames and raw escapes (OSC 52), as written. */
  writes(): readonly string[];
  /** Waits until the frame matches; fails with the frame it last saw. */
  waitFor(match: string | RegExp | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Writes keys once the screen's useInput has had time to attach. */
  press(keys: string): Promise<void>;
  /** Writes each piece straight after the previous one, without waiting for a frame (a burst, a paste). */
  type(pieces: string[]): Promise<void>;
  /** Types an answer and presses Enter. */
  answer(text: string): Promise<void>;
  /** Types a menu number and presses Enter. */
  choose(n: number): Promise<void>;
  /** Leaves a screen with Esc and waits for the menu prompt. */
  back(): Promise<void>;
  cleanup(): Promise<void>;
}

/** Renders the whole console (embedded gateway, real services) under ink-testing-library. */
export async function renderConsole(
  gaterOptions: GatewayOptions = {},
  servicesOptions: ConsoleServicesOptions = {},
): Promise<ConsoleHarness> {
  const gater = await startGater(gaterOptions);
  const services = new ConsoleServices(gater, new LogStore(), servicesOptions);
  const exitState = { shutdownShown: false };
  const inst = render(<App services={services} config={{ color: true }} exitState={exitState} />);
  const frame = () => stripVTControlCharacters(inst.lastFrame() ?? '');
  const waitFor: ConsoleHarness['waitFor'] = async (match, timeoutMs = 4000) => {
    const test =
      typeof match === 'function'
        ? match
        : (f: string) => (typeof match === 'string' ? f.includes(match) : match.test(f));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = frame();
      if (test(f)) return f;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(match)}; last frame:\n${f}`);
      await sleep(10);
    }
  };
  // useInput attaches in an effect after the screen renders; a key written before that is lost. Screens draw
  // their key hints only once their handlers are attached (useInputReady), so wait for a hint first.
  const settle = () => sleep(15);
  const press = async (keys: string) => {
    await waitFor(READY).catch(() => {});
    await settle();
    inst.stdin.write(keys);
    await settle();
  };
  // A key handled before React re-rendered with the previous one can act on stale state (a real typist is
  // slower than this harness); so, like a person, look for the echo before pressing Enter, and for the reaction
  // after it.
  const answer = async (text: string) => {
    if (text) {
      const before = frame();
      await press(text);
      await waitFor((f) => f !== before && f.split('\n').some((l) => l.trimEnd().endsWith(text)), 2000).catch(() => {});
    }
    const before = frame();
    await press(KEY.enter);
    await waitFor((f) => f !== before, 2000).catch(() => {});
  };
  await waitFor('Select an option (1-15)');
  return {
    gater,
    services,
    exitState,
    frame,
    frameCount: () => inst.frames.length,
    writes: () => inst.frames,
    waitFor,
    press,
    type: async (pieces) => {
      for (const p of pieces) inst.stdin.write(p);
      await settle();
    },
    answer,
    choose: (n) => answer(String(n)),
    back: async () => {
      await press(KEY.escape);
      await waitFor('Select an option (1-15)');
    },
    cleanup: async () => {
      inst.unmount();
      inst.cleanup();
      await services.shutdown();
      await gater.stop();
    },
  };
}
