import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { generateGreenhouseEvents } from '../../domain/greenhouse/index.js';
import { startGater } from '../../gateway/index.js';
import type { EventRecord } from '../types.js';
import { csvHeader, formatEvent, parseExportLine, type ExportFormat, type ImportedEvent } from './format.js';
import { importEvents, openExport } from './transfer.js';

const tmp = mkdtempSync(join(tmpdir(), 'ex-esdb-transfer-int-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function* readExport(file: string, csv: boolean): AsyncGenerator<ImportedEvent> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const e = parseExportLine(line, ++n, csv);
    if (e) yield e;
  }
}

const essence = (r: EventRecord) => [r.eventStreamId, r.eventNumber, r.eventId, r.eventType, r.data, r.metadata];

describe('export and import (core, embedded)', () => {
  // 100,000 events in memory storage (the transfer logic at full size); the CLI e2e covers SQLite and a node.
  for (const [format, size] of [
    ['ndjson', 100_000],
    ['csv', 10_000],
  ] as [ExportFormat, number][]) {
    it(`round trip of ${size.toLocaleString('en')} events through ${format}: ids kept, a second import writes nothing`, async () => {
      const a = await startGater();
      const b = await startGater();
      try {
        for (let i = 0; i < size / 1000; i++) {
          const stream = `greenhouse${(i % 3) + 1}`;
          const v = await a.api.getVersion('reg_gh', stream);
          await a.api.appendEvents('reg_gh', stream, generateGreenhouseEvents(v, 1000, { seed: `s${i}` }));
        }
        const { total, events } = await openExport(a.api, { store: 'reg_gh', source: '$all' });
        expect(total).toBe(size);
        const lines: string[] = format === 'csv' ? [csvHeader()] : [];
        for await (const e of events) lines.push(formatEvent(e, format));
        const file = join(tmp, `all.${format}`);
        writeFileSync(file, `${lines.join('\n')}\n`);

        const first = await importEvents(b.api, 'reg_gh', readExport(file, format === 'csv'));
        expect(first).toEqual({ imported: size, skipped: 0, streams: 3 });
        const again = await importEvents(b.api, 'reg_gh', readExport(file, format === 'csv'));
        expect(again).toEqual({ imported: 0, skipped: size, streams: 3 });

        const orig: EventRecord[] = [];
        for await (const e of a.api.streamAll('reg_gh')) orig.push(e);
        const copy: EventRecord[] = [];
        for await (const e of b.api.streamAll('reg_gh')) copy.push(e);
        expect(copy).toHaveLength(size);
        expect(copy.map(essence)).toEqual(orig.map(essence));
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    }, 120_000);
  }

  it('parseExportLine - CSV quoting round-trips commas, quotes and unicode; bad lines name their number', () => {
    const rec: EventRecord = {
      eventStreamId: 's,1',
      eventNumber: 0,
      eventId: 'id"1',
      eventType: 't:v1',
      dataContentType: 1,
      metadataContentType: 0,
      data: { text: 'a, "b"\nc ✓' },
      metadata: { correlation_id: 'x' },
      created: '2026-01-01T00:00:00.000Z',
      createdEpoch: 1,
      position: 0,
    };
    expect(parseExportLine(formatEvent(rec, 'csv'), 2, true)).toEqual({
      streamId: 's,1',
      event: {
        eventId: 'id"1',
        eventType: 't:v1',
        data: rec.data,
        metadata: rec.metadata,
        dataContentType: 1,
        metadataContentType: 0,
      },
    });
    expect(parseExportLine(csvHeader(), 1, true)).toBeUndefined();
    expect(() => parseExportLine('{"eventStreamId":"s"}', 7, false)).toThrow(/^line 7: eventId missing/);
    expect(() => parseExportLine('a,b', 3, true)).toThrow(/^line 3: 2 CSV fields/);
  });
});
