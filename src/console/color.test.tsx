import '../../test/helpers/pinInkEnv.js';
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../cli/config.js';
import { startGater, type Gater } from '../gateway/index.js';
import { App } from './App.js';
import { LogStore } from './feed.js';
import { ConsoleServices } from './services.js';

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/;

describe('colour in the console', () => {
  let gater: Gater | undefined;
  const level = chalk.level;
  afterEach(async () => {
    chalk.level = level;
    await gater?.stop();
  });

  const frameWith = async (env: Record<string, string>) => {
    chalk.level = 3; // a colour terminal
    gater = await startGater();
    const services = new ConsoleServices(gater, new LogStore());
    const inst = render(<App services={services} config={resolveConfig({}, env)} />);
    for (let i = 0; i < 200 && !inst.lastFrame()?.includes('Select an option'); i++)
      await new Promise((r) => setTimeout(r, 10));
    const frame = inst.lastFrame() ?? '';
    inst.unmount();
    await services.shutdown();
    return frame;
  };

  it('is on in a colour terminal', async () => {
    expect(await frameWith({})).toMatch(SGR);
  });

  it('NO_COLOR=1 turns it off, and chalk is left as it was afterwards', async () => {
    const f = await frameWith({ NO_COLOR: '1' });
    expect(f).toContain('Select an option (1-15)');
    expect(f).not.toMatch(SGR);
    expect(chalk.level).toBe(3);
  });

  it('FORCE_COLOR wins over NO_COLOR', async () => {
    expect(await frameWith({ NO_COLOR: '1', FORCE_COLOR: '1' })).toMatch(SGR);
  });
});
