import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatEvent, type EventRecord } from '../core/index.js';

/** A name for an export of `label` made at `at`: `ex-esdb-<label>-<yyyymmdd-hhmmss>.ndjson`, safe on any disk. */
export function exportFileName(label: string, at: Date, attempt = 0): string {
  const safe = label.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[._]+/, '') || 'events';
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
  return `ex-esdb-${safe.slice(0, 60)}-${stamp}${attempt ? `-${attempt + 1}` : ''}.ndjson`;
}

/**
 * Writes `events` as NDJSON (the `export` command's format, one event per line, re-importable with `import`) to a
 * new file in `dir` (default: the current directory). Never overwrites: a name taken in the same second gets a
 * suffix. Returns the absolute path and the number of events written.
 */
export async function exportEventsToFile(
  label: string,
  events: Iterable<EventRecord> | AsyncIterable<EventRecord>,
  dir = process.cwd(),
  at = new Date(),
): Promise<{ path: string; count: number }> {
  for (let attempt = 0; ; attempt++) {
    const path = resolve(join(dir, exportFileName(label, at, attempt)));
    let file;
    try {
      file = await open(path, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 100) continue;
      throw e;
    }
    try {
      let count = 0;
      let chunk = '';
      for await (const e of events) {
        chunk += `${formatEvent(e, 'ndjson')}\n`;
        count++;
        if (chunk.length > 1 << 20) {
          await file.write(chunk);
          chunk = '';
        }
      }
      if (chunk) await file.write(chunk);
      return { path, count };
    } finally {
      await file.close();
    }
  }
}
