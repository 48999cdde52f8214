import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES } from '../../src/core/eventValidation.js';
import { cli, COOKIE, ensureBuilt, startNodeProcess, uniq, type NodeProcess } from './helpers.js';

/** Issue 10 item 2, as a user of the binary meets it: big events are refused up front or read back whole. */
describe('large events (built binary)', () => {
  let dir: string;
  let huge: string;
  const BLOB = 9_000_000; // two of them are more than one 16 MiB frame
  const one = (c: string): string => {
    const file = join(dir, `${c}.json`);
    writeFileSync(file, JSON.stringify([{ eventType: 'big:v1', data: { c, blob: c.repeat(BLOB) } }]));
    return file;
  };
  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'esdb-large-'));
    huge = join(dir, 'huge.json');
    writeFileSync(huge, JSON.stringify([{ eventType: 'h:v1', data: { blob: 'h'.repeat(MAX_EVENT_BYTES) } }]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const tooLarge = (r: Awaited<ReturnType<typeof cli>>): void => {
    expect(r.code, r.stderr).toBe(1);
    expect(r.json).toEqual([
      {
        error: expect.objectContaining({
          code: 'payload_too_large',
          message: expect.stringMatching(/^events\[0\] is/),
        }),
      },
    ]);
  };

  it('embedded: an event larger than a frame is refused with payload_too_large, nothing is stored', async () => {
    const storage = ['--storage', `sqlite:${join(dir, 'embedded.db')}`];
    tooLarge(await cli([...storage, 'append', 'huge', '--file', huge, '--json']));
    const v = await cli([...storage, 'version', 'huge', '--json']);
    expect(v.json[0]).toMatchObject({ version: -1 });
  });

  describe('through a node process', () => {
    let node: NodeProcess;
    beforeAll(async () => {
      node = await startNodeProcess();
    });
    afterAll(async () => node?.stop());
    const conn = (): string[] => ['--connect', node.address, '--cookie', COOKIE];

    it('an event larger than a frame is refused with payload_too_large, nothing is stored', async () => {
      const stream = `huge-${uniq()}`;
      tooLarge(await cli([...conn(), 'append', stream, '--file', huge, '--json']));
      const v = await cli([...conn(), 'version', stream, '--json']);
      expect(v.json[0]).toMatchObject({ version: -1 });
    });

    it('two 9 MB events: read --count 2 and export print both, whole, in order', async () => {
      const stream = `big-${uniq()}`;
      for (const c of ['a', 'b']) {
        const r = await cli([...conn(), 'append', stream, '--file', one(c), '--json'], { timeoutMs: 60_000 });
        expect(r.code, r.stderr).toBe(0);
      }
      const check = (lines: Record<string, unknown>[]): void => {
        expect(lines.map((l) => (l.data as { c: string }).c)).toEqual(['a', 'b']);
        for (const l of lines) expect((l.data as { blob: string }).blob.length).toBe(BLOB);
      };
      const read = await cli([...conn(), 'read', stream, '--count', '2', '--json'], { timeoutMs: 60_000 });
      expect(read.code, read.stderr).toBe(0);
      check(read.json);
      const out = join(dir, 'export.ndjson');
      const exp = await cli([...conn(), 'export', '$all', '-o', out], { timeoutMs: 60_000 });
      expect(exp.code, exp.stderr).toBe(0);
      const lines = readFileSync(out, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.eventStreamId === stream);
      check(lines);
    });
  });
});
