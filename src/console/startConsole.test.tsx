import '../../test/helpers/pinInkEnv.js';
import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startGater } from '../gateway/index.js';
import { LogStore } from './feed.js';
import { startConsole } from './startConsole.js';

/** A terminal-like stdin: raw mode works, keys are pushed with `type`. */
class FakeTty extends EventEmitter {
  isTTY = true;
  rawMode = false;
  private pending: string[] = [];
  setRawMode(on: boolean) {
    this.rawMode = on;
    return this;
  }
  setEncoding() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
  read(): string | null {
    return this.pending.shift() ?? null;
  }
  type(data: string) {
    this.pending.push(data);
    this.emit('readable');
  }
}

class FakeOut extends EventEmitter {
  isTTY = true;
  columns = 120;
  rows = 50;
  text = '';
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(test: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

const io = () => ({ stdin: new FakeTty(), stdout: new FakeOut(), stderr: new FakeOut() });
type Io = ReturnType<typeof io>;
// Vitest replaces `console` (Ink could not patch it) and owns the worker's signals, hence the two seams.
// The console runs on an opened gateway whose logs go to its pane; the gateway stays the caller's to stop.
const run = async (s: Io, signals = new EventEmitter()) => {
  const logs = new LogStore(200, 'info');
  const gater = await startGater({ log: logs.log });
  try {
    return await startConsole(gater, {
      logs,
      stdin: s.stdin as unknown as NodeJS.ReadStream,
      stdout: s.stdout as unknown as NodeJS.WriteStream,
      stderr: s.stderr as unknown as NodeJS.WriteStream,
      patchConsole: false,
      signals,
    });
  } finally {
    await gater.stop();
  }
};

describe('startConsole', () => {
  it('refuses without a TTY on stdin: exit 2, one line, raw mode never touched', async () => {
    const s = io();
    s.stdin.isTTY = false;
    expect(await run(s)).toBe(2);
    expect(s.stderr.text).toMatch(/^❌ The interactive console needs a terminal/);
    expect(s.stdin.rawMode).toBe(false);
    expect(s.stdout.text).toBe('');
  });

  it('runs the app with logs in the pane (not on stderr), and q stops everything and resolves 0', async () => {
    const s = io();
    const done = run(s);
    await until(() => stripVTControlCharacters(s.stdout.text).includes('q quit')); // the menu hears keys
    expect(s.stdin.rawMode).toBe(true);
    expect(stripVTControlCharacters(s.stdout.text)).toContain('[GatewaySystem] GatewaySystem for reg_gh is UP');
    await sleep(30);
    s.stdin.type('7');
    await until(() => stripVTControlCharacters(s.stdout.text).includes('Select an option (1-15): 7'));
    await sleep(30);
    s.stdin.type('\r');
    await until(() => s.stdout.text.includes('Esc back to the menu'));
    for (const key of ['\r', '\r', '\r']) {
      await sleep(50);
      s.stdin.type(key);
    }
    await until(() => s.stdout.text.includes('Started 3 producers'));
    await sleep(30);
    s.stdin.type('q');
    expect(await done).toBe(0);
    const out = stripVTControlCharacters(s.stdout.text);
    expect(out).toContain('🛑 Stopped producer: greenhouse3');
    expect(out).toContain('✅ Console shut down successfully!');
    expect(out.match(/Console shut down successfully/g)).toHaveLength(1); // shown in the final frame, not printed again
    expect(s.stderr.text).toBe('');
    expect(s.stdin.rawMode).toBe(false);
  });

  it('a signal unmounts the app and still shuts down cleanly', async () => {
    const s = io();
    const signals = new EventEmitter();
    const done = run(s, signals);
    await until(() => stripVTControlCharacters(s.stdout.text).includes('Select an option (1-15)'));
    expect(signals.listenerCount('SIGHUP')).toBe(1);
    signals.emit('SIGHUP');
    expect(await done).toBe(0);
    expect(stripVTControlCharacters(s.stdout.text)).toContain('✅ Console shut down successfully!');
    expect(signals.listenerCount('SIGHUP')).toBe(0);
  });
});
