import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, moduleSpecifiers, sourceFiles } from './importGraph.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

// Lint checks what each file may import; only the whole graph shows a cycle. A cycle through type-only imports
// counts too: the two files still cannot be understood, moved or tested apart.
describe('import graph of src/', () => {
  it('has no import cycle (import type, re-exports and dynamic import() included)', () => {
    expect(importCycles(importGraph(SRC, sourceFiles(SRC)))).toEqual([]);
  });
});

describe('importCycles', () => {
  const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

  it('names each cycle once, as a closed path from its first file', () => {
    const cycles = importCycles(
      graph({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts', 'd.ts'], 'c.ts': ['a.ts'], 'd.ts': [], 'e.ts': ['e.ts'] }),
    );
    expect(cycles).toEqual(['a.ts -> b.ts -> c.ts -> a.ts', 'e.ts -> e.ts']);
  });

  it('finds none in a graph that only shares dependencies', () => {
    expect(importCycles(graph({ 'a.ts': ['b.ts', 'c.ts'], 'b.ts': ['c.ts'], 'c.ts': [] }))).toEqual([]);
  });

  it('names the other files of a larger tangle', () => {
    const cycles = importCycles(graph({ 'a.ts': ['b.ts', 'c.ts'], 'b.ts': ['a.ts'], 'c.ts': ['a.ts'] }));
    expect(cycles).toEqual(['a.ts -> b.ts -> a.ts (tangled with c.ts)']);
  });
});

describe('moduleSpecifiers', () => {
  it('sees every form of import and re-export, and no specifier in a comment or a string', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-graph-'));
    try {
      const file = join(dir, 'sample.ts');
      writeFileSync(
        file,
        [
          "import a from './a.js';",
          "import type { B } from './b.js';",
          "import { type C } from './c.js';",
          "export * from './d.js';",
          "export type { E } from './e.js';",
          "import f = require('./f.js');",
          "type G = typeof import('./g.js');",
          "const h = () => import('./h.js');",
          "import './i.js';",
          "// import x from './not-a.js';",
          'const s = "from \'./not-b.js\'";',
          'export const all = [a, f, h, s] as unknown as [B, C, G];',
        ].join('\n'),
      );
      expect(moduleSpecifiers(file)).toEqual([
        './a.js',
        './b.js',
        './c.js',
        './d.js',
        './e.js',
        './f.js',
        './g.js',
        './h.js',
        './i.js',
      ]);
      const graph = importGraph(dir, [file]);
      expect(graph.get('sample.ts')).toEqual([]); // none of them exists: only files in the tree are nodes
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
