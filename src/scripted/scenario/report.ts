import type { ChalkInstance } from 'chalk';
import type { ScenarioResult, StepResult } from './types.js';

/** One human report line per step, as it finishes. */
export function stepLine(r: StepResult, c: ChalkInstance): string {
  const mark = r.status === 'pass' ? c.green('✔') : r.status === 'fail' ? c.red('✘') : c.gray('-');
  const nested = r.index.includes('.');
  const idx = `${nested ? '   ' : ''}${r.index}.`.padStart(nested ? 7 : 4);
  const time = r.status === 'skip' ? c.gray('skipped') : c.gray(`${r.ms} ms`);
  const head = `  ${mark} ${idx} ${r.status === 'skip' ? c.gray(r.description) : r.description}  ${time}`;
  if (r.status === 'fail' && r.message) return `${head}\n${' '.repeat(nested ? 12 : 9)}${c.red(r.message)}`;
  if (r.status === 'pass' && r.message && r.kind !== 'expect') return `${head}  ${c.gray(`(${r.message})`)}`;
  return head;
}

export function headerLine(
  name: string,
  file: string | undefined,
  description: string | undefined,
  c: ChalkInstance,
): string {
  return `${c.bold(`▶ Scenario: ${name}`)}${file ? c.gray(`  (${file})`) : ''}${description ? `\n  ${c.gray(description)}` : ''}`;
}

/** The verdict: PASS, or FAIL naming every failed step and its expectation. */
export function summaryLine(r: ScenarioResult, c: ChalkInstance): string {
  const top = r.steps.filter((s) => !s.index.includes('.'));
  const secs = (r.durationMs / 1000).toFixed(1);
  if (r.passed) return c.green(`✅ PASS ${r.scenario}: ${top.length} steps in ${secs} s`);
  const failed = r.steps.filter((s) => s.status === 'fail' && s.kind !== 'parallel');
  const skipped = r.steps.filter((s) => s.status === 'skip').length;
  const lines = [
    c.red(
      `❌ FAIL ${r.scenario}: ${failed.length} step(s) failed${skipped ? `, ${skipped} skipped` : ''}${r.abortedBy ? ` (stopped by ${r.abortedBy})` : ''} in ${secs} s`,
    ),
    ...failed.map((f) => c.red(`   step ${f.index}: ${f.description} — ${f.message ?? 'failed'}`)),
  ];
  return lines.join('\n');
}
