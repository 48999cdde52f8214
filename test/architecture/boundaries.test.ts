import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { moduleSpecifiers } from './importGraph.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [p] : [];
  });
}

/**
 * Every import specifier of a file (parsed, every form: see importGraph.ts), resolved relative to src/ for relative
 * ones. Lint matches specifiers as written; this checks where they lead.
 */
function imports(file: string): string[] {
  return moduleSpecifiers(file).map((s) => (s.startsWith('.') ? relative(SRC, join(file, '..', s)) : s));
}

// DESIGN §2: cli -> console|scripted -> core; node is reached from core only through the link; core has no UI.
describe('layer boundaries (DESIGN §2)', () => {
  it('core imports no UI, no CLI and no node code', () => {
    const bad = files(join(SRC, 'core')).flatMap((f) =>
      imports(f)
        .filter(
          (i) =>
            /^(console|scripted|cli|node|gateway)\//.test(i) ||
            ['react', 'ink', 'commander', 'chalk'].includes(i) ||
            i.startsWith('ink-'),
        )
        .map((i) => `${relative(SRC, f)} -> ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('node imports neither core/api nor any UI or CLI code', () => {
    const bad = files(join(SRC, 'node')).flatMap((f) =>
      imports(f)
        .filter(
          (i) => /^(core\/api|console|scripted|cli|gateway)\//.test(i) || ['react', 'ink', 'commander'].includes(i),
        )
        .map((i) => `${relative(SRC, f)} -> ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('scripted never imports the Ink console, and console never imports scripted', () => {
    const bad = [
      ...files(join(SRC, 'scripted')).flatMap((f) =>
        imports(f)
          .filter((i) => /^console\//.test(i) || i === 'ink' || i === 'react')
          .map((i) => `${relative(SRC, f)} -> ${i}`),
      ),
      ...files(join(SRC, 'console')).flatMap((f) =>
        imports(f)
          .filter((i) => /^scripted\//.test(i))
          .map((i) => `${relative(SRC, f)} -> ${i}`),
      ),
    ];
    expect(bad).toEqual([]);
  });

  it('console and scripted receive an opened gateway: they import nothing from cli, node or the gateway assembly', () => {
    const bad = ['console', 'scripted'].flatMap((layer) =>
      files(join(SRC, layer)).flatMap((f) =>
        imports(f)
          .filter((i) => /^(cli|node|gateway)\//.test(i))
          .map((i) => `${relative(SRC, f)} -> ${i}`),
      ),
    );
    expect(bad).toEqual([]);
  });
});
