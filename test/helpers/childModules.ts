import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Repository root (this file lives in test/helpers/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Makes source modules runnable by a plain `node` child process (Node 20 cannot run TypeScript): transpiles each
 * entry and every module it imports by relative path into a temp directory with the repository's layout, and
 * links the repository's node_modules there so packages resolve. No type checking (tsc does that).
 * Returns the directory; run children with `cwd` set to it and import `./src/...js`. `dispose` removes it.
 */
export function transpileForChild(entries: string[]): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ex-esdb-child-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const pending = entries.map((e) => resolve(repoRoot, e));
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)\.js'/g)) {
      const tsPath = resolve(dirname(file), `${m[1]}.ts`);
      const tsx = resolve(dirname(file), `${m[1]}.tsx`);
      if (existsSync(tsPath)) pending.push(tsPath);
      else if (existsSync(tsx)) pending.push(tsx);
    }
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        jsx: ts.JsxEmit.ReactJSX,
      },
    }).outputText;
    const target = join(dir, relative(repoRoot, file)).replace(/\.tsx?$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out);
  }
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
