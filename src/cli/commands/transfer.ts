import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import {
  EXPORT_FORMATS,
  csvHeader,
  formatEvent,
  importEvents,
  openExport,
  parseExportLine,
  plural,
  type ExportFormat,
  type ImportedEvent,
} from '../../core/index.js';
import { UsageError } from '../exitCodes.js';
import { intOpt } from '../options.js';
import { createOutput } from '../output.js';
import { createProgress } from '../progress.js';
import type { Runner } from '../runner.js';
import { examples, withGater } from './common.js';

interface ExportFlags {
  from?: string;
  to?: string;
  format?: string;
  output?: string;
}

function formatOf(flag: string | undefined, file: string | undefined): ExportFormat {
  if (flag !== undefined) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(flag))
      throw new UsageError(`--format must be ndjson or csv, got "${flag}"`);
    return flag as ExportFormat;
  }
  return file?.toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson';
}

/** Writes with backpressure: a slow pipe or disk holds the reader back instead of filling memory. */
async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

export function registerTransfer(program: Command, run: Runner): void {
  const exp = program
    .command('export')
    .argument('<source>', "a stream id, or '$all' for every stream in global order")
    .description('write events as NDJSON (the records read --json prints) or CSV, to stdout or -o file')
    .option('--from <n>', 'first version (stream) or global position ($all); default 0')
    .option('--to <n>', 'last version or position, inclusive; default: the end when the export starts')
    .option('--format <format>', 'ndjson (default) or csv (default when -o ends in .csv)')
    .option('-o, --output <file>', 'write to this file instead of stdout; a progress bar shows on a terminal')
    .addHelpText(
      'after',
      examples(
        'export greenhouse1 -o greenhouse1.ndjson',
        "export '$all' --format csv -o store.csv",
        'export greenhouse1 --from 100 --to 199 | jq .data',
        'export \'$all\' -o all.ndjson --json   # {"exported":1234,...} on stdout',
      ),
    );
  exp.action(
    run((config) =>
      withGater(config, async (gater) => {
        const source = exp.args[0]!;
        const f = exp.opts<ExportFlags>();
        const format = formatOf(f.format, f.output);
        const from = intOpt(f.from, '--from', { min: 0 });
        const to = intOpt(f.to, '--to', { min: 0 });
        if (from !== undefined && to !== undefined && to < from) throw new UsageError('--to must be >= --from');
        const { total, events } = await openExport(gater.api, { store: config.store, source, from, to });
        const file = f.output !== undefined && f.output !== '-' ? f.output : undefined;
        const out: Writable = file ? createWriteStream(file) : process.stdout;
        if (file) await once(out, 'open');
        const progress = createProgress(`⬇️  ${source}`, total, file !== undefined && process.stderr.isTTY === true);
        let n = 0;
        try {
          if (format === 'csv') await write(out, `${csvHeader()}\n`);
          for await (const e of events) {
            await write(out, `${formatEvent(e, format)}\n`);
            progress.update(++n);
          }
        } finally {
          progress.done();
          if (file) await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
        }
        const summary = { store: config.store, source, format, exported: n, file: file ?? null };
        if (file) createOutput(config.json).result(summary, () => `✅ exported ${plural(n, 'event')} to ${file}`);
        else if (!config.json) process.stderr.write(`(exported ${plural(n, 'event')} from ${source})\n`);
        return 0;
      }),
    ),
  );

  const imp = program
    .command('import')
    .argument('<file>', "an export (NDJSON or CSV); '-' reads stdin")
    .description('re-append an export: event ids kept, so importing the same file twice writes its events once')
    .option('--format <format>', 'ndjson or csv (default: by extension, else by the first line)')
    .addHelpText(
      'after',
      examples(
        'import greenhouse1.ndjson',
        '--store copy import store.csv --json   # {"imported":1234,"skipped":0,"streams":3}',
        "export '$all' | ex-esdb-console --connect other:7001 import -",
      ),
    );
  imp.action(
    run((config) =>
      withGater(config, async (gater) => {
        const file = imp.args[0]!;
        const flag = imp.opts<{ format?: string }>().format;
        let csv = formatOf(flag, file) === 'csv';
        if (file !== '-') {
          try {
            if (!statSync(file).isFile()) throw new Error('not a file');
          } catch (e) {
            throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
          }
        }
        const input = file === '-' ? process.stdin : createReadStream(file);
        const lines = createInterface({ input, crlfDelay: Infinity });
        let lineNo = 0;
        async function* parsed(): AsyncGenerator<ImportedEvent> {
          for await (const text of lines) {
            lineNo++;
            // A CSV export starts with its header: recognise it even without a .csv name.
            if (lineNo === 1 && flag === undefined && text === csvHeader()) csv = true;
            const e = parseExportLine(text, lineNo, csv);
            if (e) yield e;
          }
        }
        const progress = createProgress(`⬆️  ${file}`, 0);
        const r = await importEvents(gater.api, config.store, parsed(), (done) => progress.update(done));
        progress.done();
        createOutput(config.json).result(
          { store: config.store, file, ...r },
          () =>
            `✅ imported ${plural(r.imported, 'event')} into ${plural(r.streams, 'stream')}` +
            (r.skipped > 0 ? ` (${plural(r.skipped, 'event')} already there, skipped)` : ''),
        );
        return 0;
      }),
    ),
  );
}
