import type { BenchProgress, BenchReport } from './benchTypes.js';
import type { LatencySummary } from './histogram.js';

/**
 * A bench report as JSON records, one object per line for `--json`: one per operation (`type: "op"`), one per
 * node and operation (`type: "node"`), then the run itself (`type: "run"`: configuration, delivery check, errors).
 */
export function benchRecords(report: BenchReport, target: string): Record<string, unknown>[] {
  return [
    ...report.ops.map((o) => ({ type: 'op', runId: report.runId, ...o })),
    ...report.nodes.map((n) => ({ type: 'node', runId: report.runId, ...n })),
    {
      type: 'run',
      runId: report.runId,
      target,
      ...report.config,
      ...(report.delivery ? { delivery: report.delivery } : {}),
      errors: report.errors,
      aborted: report.aborted,
    },
  ];
}

const n = (x: number): string => x.toLocaleString('en-US');
const ms = (x: number): string => x.toFixed(3);
const LAT_HEAD = ['p50', 'p90', 'p99', 'p99.9', 'max'];
const lat = (l: LatencySummary): string[] => [l.p50, l.p90, l.p99, l.p999, l.max].map(ms);

/** The human report: a header, a table per operation, a table per node, the delivery check and errors. */
export function benchText(report: BenchReport, target: string): string[] {
  const c = report.config;
  const amount =
    c.durationMs !== undefined
      ? `${c.durationMs / 1000} s${c.events !== undefined ? ` (at most ${n(c.events)} events)` : ''}`
      : `${n(c.events ?? 0)} events`;
  const loop = c.rate !== undefined ? `open loop at ${n(c.rate)} events/s` : 'closed loop';
  const out = [
    `bench ${report.runId} on ${target}, store ${c.store}: ${plural(c.clients, 'client')}, batch ${c.batch}, ` +
      `${plural(c.streams, 'stream')}, ${plural(c.subscribers, 'subscriber')}, ${loop}, ${amount}` +
      (report.aborted ? ' (stopped early)' : ''),
    '',
    ...table(
      ['op', 'calls', 'events', 'seconds', 'events/s', 'calls/s', ...LAT_HEAD, 'errors'],
      report.ops.map((o) => [
        o.op,
        n(o.calls),
        n(o.events),
        o.seconds.toFixed(3),
        n(o.eventsPerSec),
        n(o.callsPerSec),
        ...lat(o.latency),
        n(Object.values(o.errors).reduce((a, b) => a + b, 0)),
      ]),
    ),
    'latency in ms' +
      (c.rate !== undefined ? ', from the scheduled send time' : '') +
      (report.ops.some((o) => o.op === 'delivery') ? '; delivery: append sent → subscriber callback' : ''),
  ];
  if (report.nodes.length > 0) {
    out.push(
      '',
      'per node (as the gateway measured each call):',
      ...table(
        ['node', 'op', 'calls', 'errors', ...LAT_HEAD],
        report.nodes.map((x) => [x.node, x.op, n(x.calls), n(x.errors), ...lat(x.latency)]),
      ),
    );
  }
  const d = report.delivery;
  if (d) {
    const each = d.delivered.every((x) => x === d.delivered[0])
      ? `${n(d.delivered[0] ?? 0)}/${n(d.expected)} each`
      : `${d.delivered.map(n).join(', ')} of ${n(d.expected)}`;
    const ok = d.duplicates === 0 && d.outOfOrder === 0 && d.missing === 0;
    out.push(
      '',
      `delivery: ${plural(d.subscribers, 'subscriber')}, ${each}; ${n(d.duplicates)} duplicates, ` +
        `${n(d.outOfOrder)} out of order, ${n(d.missing)} missing ${ok ? '(once, in order)' : '(NOT once in order)'}`,
    );
  }
  const errs = Object.entries(report.errors);
  out.push('', `errors: ${errs.length === 0 ? 'none' : errs.map(([code, k]) => `${code} ${n(k)}`).join(', ')}`);
  return out;
}

/** The one-line progress shown on stderr while a bench runs. */
export function benchProgressLine(p: BenchProgress): string {
  const parts = [
    `${(p.elapsedMs / 1000).toFixed(1)} s`,
    p.phase,
    `appended ${n(p.appended)} (${n(p.rate)}/s)`,
    `append p99 ${ms(p.appendP99)} ms`,
  ];
  if (p.subscribers > 0) parts.push(`delivered ${n(p.delivered)}`);
  if (p.read > 0) parts.push(`read ${n(p.read)}`);
  parts.push(`errors ${n(p.errors)}`);
  return `bench: ${parts.join('  ')}`;
}

function plural(k: number, word: string): string {
  return `${n(k)} ${word}${k === 1 ? '' : 's'}`;
}

/** Left-aligned first column, right-aligned numbers. */
function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)];
}
