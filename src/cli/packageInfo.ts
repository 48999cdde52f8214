import { readFileSync } from 'node:fs';

/**
 * The package's version, read from package.json next to `src/` or `dist/` (both sit one level below the root),
 * so `--version` always tells the truth about what is installed.
 */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
