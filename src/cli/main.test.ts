import { describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';
import { findsCommand } from './main.js';

describe('findsCommand', () => {
  const program = buildProgram();
  it('skips the values of global flags', () => {
    expect(findsCommand(program, ['--connect', '127.0.0.1:7391', '--cookie', 's3cret'])).toBe(false);
    expect(findsCommand(program, ['--connect=127.0.0.1:7391', '--json'])).toBe(false);
    expect(findsCommand(program, ['--cluster', '--gossip-if', '127.0.0.1'])).toBe(false);
    expect(findsCommand(program, [])).toBe(false);
  });
  it('finds the command after flags, and help/version', () => {
    expect(findsCommand(program, ['--connect', '127.0.0.1:7391', 'status'])).toBe(true);
    expect(findsCommand(program, ['--json', 'status'])).toBe(true);
    expect(findsCommand(program, ['--help'])).toBe(true);
  });
});
